import Foundation

/// A scratch network namespace (`ip netns add <prefix>-<random>`), removed by `remove()`; the
/// kernel tests of the netlink targets work in one, never in the host's namespace.
public final class ScratchNamespace: Sendable {
    public let name: String
    public var path: String { "/var/run/netns/\(name)" }

    /// Root and iproute2 present: the kernel tests can run.
    public static let isAvailable: Bool = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")

    public init(prefix: String) throws {
        name = "\(prefix)-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        try Self.run("/usr/sbin/ip", ["netns", "add", name])
        try exec("ip", "link", "set", "lo", "up")
    }

    public func remove() { _ = try? Self.run("/usr/sbin/ip", ["netns", "delete", name]) }

    /// Runs a command inside the namespace; returns its standard output.
    @discardableResult
    public func exec(_ arguments: String...) throws -> String {
        try Self.run("/usr/sbin/ip", ["netns", "exec", name] + arguments)
    }

    public struct CommandError: Error, CustomStringConvertible {
        public var command: String
        public var status: Int32
        public var stderr: String
        public var description: String { "\(command) exited \(status): \(stderr)" }

        public init(command: String, status: Int32, stderr: String) {
            self.command = command
            self.status = status
            self.stderr = stderr
        }
    }

    @discardableResult
    public static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandError(
                command: ([executable] + arguments).joined(separator: " "), status: process.terminationStatus,
                stderr: String(decoding: errors, as: UTF8.self))
        }
        return String(decoding: output, as: UTF8.self)
    }
}

extension String {
    /// The non-empty lines, each trimmed, sorted: listings compare whatever order the kernel
    /// prints them in.
    public var sortedLines: [String] {
        split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.sorted()
    }
}
