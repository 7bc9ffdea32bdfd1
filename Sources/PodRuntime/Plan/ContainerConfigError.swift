import KubeAPI

/// A container spec that cannot become a Docker container: the pod shows
/// `CreateContainerConfigError` with this message.
public struct ContainerConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public var pod: String
    public var container: String
    public var field: String
    public var detail: String

    public init(pod: String, container: String, field: String, detail: String) {
        self.pod = pod
        self.container = container
        self.field = field
        self.detail = detail
    }

    public var description: String { "pod \(pod) container \(container): \(field): \(detail)" }
}
