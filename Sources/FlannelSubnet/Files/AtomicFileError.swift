/// Why a file could not be written: the path, the step and errno's text.
public struct AtomicFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var reason: String
    public var description: String { "\(operation) \(path): \(reason)" }
}
