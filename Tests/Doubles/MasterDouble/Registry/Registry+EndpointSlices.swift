import KubeAPI

extension Registry {
    /// An EndpointSlice as the API server validates it (pkg/apis/discovery/validation): a known
    /// `addressType`, at most 1000 endpoints each with one to 100 addresses, ports with a
    /// protocol. The JSON is stored as sent.
    ///
    /// - Throws: `APIStatusError` 400 when it does not decode, 422 naming the field otherwise.
    static func validatedEndpointSlice(_ object: JSONValue) throws -> JSONValue {
        let slice: EndpointSlice
        do {
            slice = try object.decode(EndpointSlice.self)
        } catch {
            throw APIStatusError.badRequest(
                "EndpointSlice in version \"v1\" cannot be handled as a EndpointSlice: \(error)")
        }
        let name = slice.metadata.name ?? ""
        var causes: [String] = []
        if !["IPv4", "IPv6", "FQDN"].contains(slice.addressType) {
            causes.append(
                "addressType: Unsupported value: \"\(slice.addressType)\": supported values: \"FQDN\", \"IPv4\", \"IPv6\"")
        }
        if slice.endpoints.count > 1000 {
            causes.append("endpoints: Too many: \(slice.endpoints.count): must have at most 1000 items")
        }
        for (index, endpoint) in slice.endpoints.enumerated() where endpoint.addresses.isEmpty || endpoint.addresses.count > 100 {
            causes.append("endpoints[\(index)].addresses: Invalid value: must contain between 1 and 100 addresses")
        }
        for (index, port) in (slice.ports ?? []).enumerated()
        where !["TCP", "UDP", "SCTP"].contains(port.protocol ?? "TCP") {
            causes.append("ports[\(index)].protocol: Unsupported value: \"\(port.protocol ?? "")\"")
        }
        guard causes.isEmpty else { throw APIStatusError.invalid(.endpointslices, name, causes) }
        return object
    }
}
