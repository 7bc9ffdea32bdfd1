/// Runs a command inside the container; exit status 0 is success. No shell is implied.
public struct ExecAction: Sendable, Hashable, Codable {
    public var command: [String]?

    public init(command: [String]? = nil) {
        self.command = command
    }
}
