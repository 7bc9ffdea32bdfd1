import CurlHTTP

extension DockerClient {
    public func createContainer(name: String, config: ContainerCreateConfig) async throws(DockerError) -> String {
        struct Created: Decodable { var Id: String }
        let operation = "create container \(name)"
        let body = try encode(config, operation: operation)
        let response = try await call(operation, "POST", "/containers/create" + Self.query([("name", name)]), body: body)
        return try decode(Created.self, from: response, operation: operation).Id
    }

    public func startContainer(id: String) async throws(DockerError) {
        try await call("start container \(id.prefix(12))", "POST", "/containers/\(id)/start", accepted: [204, 304])
    }

    public func stopContainer(id: String, timeoutSeconds: Int) async throws(DockerError) {
        // The engine waits `t` seconds before killing; leave it room to answer.
        try await call(
            "stop container \(id.prefix(12))", "POST", "/containers/\(id)/stop?t=\(timeoutSeconds)",
            accepted: [204, 304], timeout: .seconds(timeoutSeconds + 30), slow: true)
    }

    public func killContainer(id: String, signal: String) async throws(DockerError) {
        try await call("kill container \(id.prefix(12))", "POST", "/containers/\(id)/kill" + Self.query([("signal", signal)]), accepted: [204])
    }

    public func removeContainer(id: String) async throws(DockerError) {
        try await call("remove container \(id.prefix(12))", "DELETE", "/containers/\(id)?v=1&force=1", accepted: [204])
    }

    public func inspectContainer(id: String) async throws(DockerError) -> ContainerInspect {
        let operation = "inspect container \(id.prefix(12))"
        let response = try await call(operation, "GET", "/containers/\(id)/json")
        return try decode(ContainerInspect.self, from: response, operation: operation)
    }

    public func listContainers(labels: [String]) async throws(DockerError) -> [ContainerSummary] {
        let query = Self.query([("all", "1"), ("filters", Self.labelFilter(labels))])
        let response = try await call("list containers", "GET", "/containers/json" + query)
        return try decode([ContainerSummary].self, from: response, operation: "list containers")
    }
}
