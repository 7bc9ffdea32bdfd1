/// Why a volume's payload could not be written; names the directory and the step.
public struct AtomicWriterError: Error, Sendable, Hashable, CustomStringConvertible {
    public var directory: String
    public var detail: String

    public init(directory: String, detail: String) {
        self.directory = directory
        self.detail = detail
    }

    public var description: String { "cannot write volume payload in \(directory): \(detail)" }
}
