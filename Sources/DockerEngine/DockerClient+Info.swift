import Foundation

extension DockerClient {
    /// Where the engine keeps images, containers and their logs (`DockerRootDir` of `GET /info`).
    public func rootDirectory() async throws(DockerError) -> String {
        struct Info: Decodable { var DockerRootDir: String }
        let operation = "info"
        let response = try await call(operation, "GET", "/info")
        return try decode(Info.self, from: response, operation: operation).DockerRootDir
    }
}
