/// A `--config` file clc-node cannot use: the message names the file and the field.
public struct KubeletConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// The field's path (`authentication.anonymous.enabled`); nil for the file as a whole.
    public var field: String?
    public var detail: String

    public init(file: String, field: String? = nil, detail: String) {
        self.file = file
        self.field = field
        self.detail = detail
    }

    public var description: String {
        "--config \(file): " + (field.map { "field \($0): " } ?? "") + detail
    }
}
