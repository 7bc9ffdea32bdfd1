import Foundation

/// What kubectl does, done directly on the store through the same code paths as the HTTP API,
/// so that watches and controllers see it.
extension MasterDouble {
    /// Creates the objects of a JSON manifest (one object or a `List`), or updates those that
    /// exist, as `kubectl apply` would.
    ///
    /// - Returns: The objects as stored.
    /// - Throws: `APIStatusError` as the API would answer; a decoding error for text that is
    ///   not JSON.
    @discardableResult
    public func apply(_ manifest: Data) throws -> [JSONValue] {
        let document = try JSONValue.parse(manifest)
        let items = document["kind"]?.stringValue?.hasSuffix("List") == true ? document["items"]?.arrayValue ?? [] : [document]
        return try items.map(apply(object:))
    }

    /// Creates or updates one object.
    @discardableResult
    public func apply(object: JSONValue) throws -> JSONValue {
        let resource = try resource(of: object)
        let namespace = resource.namespaced ? (object.namespace ?? "default") : ""
        return try storeWrite { state, registry in
            if let name = object.name, let existing = state.get(resource, ObjectKey(namespace: namespace, name: name)) {
                var merged = existing.applyingMergePatch(object)
                merged[path: ["metadata", "resourceVersion"]] = existing[path: ["metadata", "resourceVersion"]]
                return try registry.update(resource, namespace: namespace, name: name, body: merged, status: false, in: &state)
            }
            return try registry.create(resource, namespace: resource.namespaced ? namespace : nil, body: object, in: &state)
        }
    }

    /// Creates one object (POST semantics: 409 AlreadyExists when it exists).
    @discardableResult
    public func create(_ object: JSONValue) throws -> JSONValue {
        let resource = try resource(of: object)
        return try storeWrite { state, registry in
            try registry.create(resource, namespace: resource.namespaced ? (object.namespace ?? "default") : nil, body: object, in: &state)
        }
    }

    /// `kubectl delete pod`: graceful, with the pod's grace period unless one is given.
    ///
    /// - Returns: The pod as left (terminating) or as last stored (deleted).
    @discardableResult
    public func deletePod(namespace: String = "default", name: String, gracePeriodSeconds: Int64? = nil) throws -> JSONValue {
        try storeWrite { state, registry in
            try registry.delete(
                .pods, namespace: namespace, name: name, options: DeleteOptions(gracePeriodSeconds: gracePeriodSeconds),
                in: &state)
        }
    }

    /// `kubectl delete rc`: the controller goes at once and its pods are deleted gracefully
    /// (background propagation).
    public func deleteReplicationController(namespace: String = "default", name: String) throws {
        _ = try storeWrite { state, registry in
            try registry.delete(
                .replicationcontrollers, namespace: namespace, name: name,
                options: DeleteOptions(propagationPolicy: "Background"), in: &state)
        }
    }

    /// `kubectl scale rc`: sets `spec.replicas`.
    public func scale(replicationController name: String, namespace: String = "default", replicas: Int) throws {
        _ = try storeWrite { state, registry in
            try registry.patch(
                .replicationcontrollers, namespace: namespace, name: name,
                patch: ["spec": ["replicas": .int(Int64(replicas))]], type: .merge, status: false, in: &state)
        }
    }

    /// Sets fields of a pod's status as a kubelet would (a strategic merge patch of
    /// `pods/status`), for tests that play the node themselves.
    @discardableResult
    public func patchPodStatus(namespace: String = "default", name: String, _ status: JSONValue) throws -> JSONValue {
        try storeWrite { state, registry in
            try registry.patch(
                .pods, namespace: namespace, name: name, patch: ["status": status], type: .strategicMerge, status: true,
                in: &state)
        }
    }

    /// Replaces a pod's status as a client's `PUT .../pods/<name>/status` does: the stored
    /// status becomes `status` whole (fields left out are gone), unconditionally.
    @discardableResult
    public func replacePodStatus(namespace: String = "default", name: String, _ status: JSONValue) throws -> JSONValue {
        try storeWrite { state, registry in
            guard var pod = state.get(.pods, ObjectKey(namespace: namespace, name: name)) else {
                throw APIStatusError.notFound(.pods, name)
            }
            pod["status"] = status
            return try registry.update(.pods, namespace: namespace, name: name, body: pod, status: true, in: &state)
        }
    }

    private func resource(of object: JSONValue) throws -> Resource {
        guard let kind = object["kind"]?.stringValue, let resource = Resource(kindOrName: kind) else {
            throw APIStatusError.badRequest("the double does not serve kind \(object["kind"]?.text ?? "<none>")")
        }
        return resource
    }
}
