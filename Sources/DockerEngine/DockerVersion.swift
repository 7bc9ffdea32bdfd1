/// `GET /version`.
public struct DockerVersion: Sendable, Hashable, Codable {
    public var version: String
    public var apiVersion: String
    public var minAPIVersion: String?
    public var kernelVersion: String?
    public var os: String?
    public var arch: String?

    public init(version: String, apiVersion: String, minAPIVersion: String? = nil, kernelVersion: String? = nil, os: String? = nil, arch: String? = nil) {
        self.version = version
        self.apiVersion = apiVersion
        self.minAPIVersion = minAPIVersion
        self.kernelVersion = kernelVersion
        self.os = os
        self.arch = arch
    }

    enum CodingKeys: String, CodingKey {
        case version = "Version", apiVersion = "ApiVersion", minAPIVersion = "MinAPIVersion"
        case kernelVersion = "KernelVersion", os = "Os", arch = "Arch"
    }
}
