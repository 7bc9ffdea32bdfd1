/// A probe or hook that cannot be run as written: names the container and the field.
public struct ProbeConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public var container: String
    public var field: String
    public var detail: String

    public init(container: String, field: String, detail: String) {
        self.container = container
        self.field = field
        self.detail = detail
    }

    public var description: String { "container \(container): \(field): \(detail)" }
}
