extension MasterDouble {
    /// `kubectl delete <kind> <name>` for any kind the double serves, through the same code path
    /// as the HTTP API's DELETE: a pod is deleted gracefully with its own grace period (see
    /// `deletePod`), everything else goes at once.
    ///
    /// - Parameters:
    ///   - kind: A kind ("Service") or resource name ("services").
    ///   - namespace: Ignored for cluster-scoped kinds.
    /// - Throws: `APIStatusError` as the API would answer (404 NotFound for an object that is
    ///   not there, 400 for a kind the double does not serve).
    public func delete(kind: String, namespace: String = "default", name: String) throws {
        guard let resource = Resource(kindOrName: kind) else {
            throw APIStatusError.badRequest("the double does not serve kind \(kind)")
        }
        _ = try storeWrite { state, registry in
            try registry.delete(resource, namespace: namespace, name: name, options: DeleteOptions(), in: &state)
        }
    }
}
