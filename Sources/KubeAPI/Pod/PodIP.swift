/// One address of the pod.
public struct PodIP: Sendable, Hashable, Codable {
    public var ip: String?

    public init(ip: String? = nil) {
        self.ip = ip
    }
}
