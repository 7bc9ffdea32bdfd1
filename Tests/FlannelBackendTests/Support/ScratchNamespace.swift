import Foundation

/// A scratch network namespace (`ip netns add clcfl-<random>`), removed by `remove()`; every
/// kernel test of this target works in one, never in the host's namespace.
final class ScratchNamespace: Sendable {
    let name: String
    var path: String { "/var/run/netns/\(name)" }

    /// Root and iproute2 present: the kernel tests can run.
    static let isAvailable: Bool = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")

    init(prefix: String = "clcfl") throws {
        name = "\(prefix)-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        try Self.run("/usr/sbin/ip", ["netns", "add", name])
        try exec("ip", "link", "set", "lo", "up")
    }

    func remove() { _ = try? Self.run("/usr/sbin/ip", ["netns", "delete", name]) }

    /// Runs a command inside the namespace; returns its standard output.
    @discardableResult
    func exec(_ arguments: String...) throws -> String {
        try Self.run("/usr/sbin/ip", ["netns", "exec", name] + arguments)
    }

    struct CommandError: Error, CustomStringConvertible {
        var command: String
        var status: Int32
        var stderr: String
        var description: String { "\(command) exited \(status): \(stderr)" }
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
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
    var sortedLines: [String] {
        split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.sorted()
    }
}
