import CurlHTTP
import Foundation

extension DockerClient {
    public func createNetwork(_ config: NetworkCreateConfig) async throws(DockerError) -> String {
        struct Created: Decodable { var Id: String }
        let operation = "create network \(config.name)"
        let body = try encode(config, operation: operation)
        let response = try await call(operation, "POST", "/networks/create", body: body)
        return try decode(Created.self, from: response, operation: operation).Id
    }

    public func inspectNetwork(id: String) async throws(DockerError) -> NetworkInspect? {
        let operation = "inspect network \(id)"
        let prefix = try await apiPrefix()
        let response = try await send(operation, HTTPRequest(path: prefix + "/networks/\(id)"))
        if response.status == 404 { return nil }
        guard response.status == 200 else {
            throw .http(operation: operation, status: response.status, message: Self.message(in: response.body))
        }
        return try decode(NetworkInspect.self, from: response, operation: operation)
    }

    public func listNetworks(name: String?, labels: [String]) async throws(DockerError) -> [NetworkInspect] {
        var filters: [String: [String]] = [:]
        if let name { filters["name"] = [name] }
        if !labels.isEmpty { filters["label"] = labels }
        let encoded = (try? JSONEncoder().encode(filters)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        let response = try await call("list networks", "GET", "/networks" + Self.query([("filters", encoded)]))
        let networks = try decode([NetworkInspect].self, from: response, operation: "list networks")
        // The engine's name filter matches substrings: keep exact names only.
        return networks.filter { name == nil || $0.name == name }
    }

    public func removeNetwork(id: String) async throws(DockerError) {
        try await call("remove network \(id)", "DELETE", "/networks/\(id)", accepted: [200, 204])
    }

    public func disconnectNetwork(id: String, containerID: String, force: Bool) async throws(DockerError) {
        struct Disconnect: Encodable {
            var Container: String
            var Force: Bool
        }
        let operation = "disconnect container \(containerID.prefix(12)) from network \(id)"
        let body = try encode(Disconnect(Container: containerID, Force: force), operation: operation)
        try await call(operation, "POST", "/networks/\(id)/disconnect", body: body, accepted: [200, 204])
    }
}
