import Foundation

/// A command run on the host (`ip`, `nft`, `curl`), waited for on a dispatch thread so that a
/// curl waiting out its time-out does not hold one of the two cooperative threads.
enum HostCommand {
    struct Result: Sendable {
        var status: Int32
        var output: String
        var errors: String
        var elapsed: Duration
        var command: String

        var succeeded: Bool { status == 0 }
    }

    struct Failure: Error, CustomStringConvertible {
        var result: Result
        var description: String { "`\(result.command)` exited \(result.status): \(result.errors)" }
    }

    /// Runs `executable` with `arguments` and returns how it ended, whatever its status.
    static func run(_ executable: String, _ arguments: [String]) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Swift.Result { try runBlocking(executable, arguments) })
            }
        }
    }

    /// Runs the command and throws ``Failure`` unless it exits 0.
    @discardableResult
    static func check(_ executable: String, _ arguments: [String]) async throws -> String {
        let result = try await run(executable, arguments)
        guard result.succeeded else { throw Failure(result: result) }
        return result.output
    }

    private static func runBlocking(_ executable: String, _ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let clock = ContinuousClock()
        let start = clock.now
        try process.run()
        // The commands here print little on stderr, so reading stdout first cannot fill that pipe.
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, output: String(decoding: out, as: UTF8.self),
            errors: String(decoding: err, as: UTF8.self), elapsed: clock.now - start,
            command: ([executable] + arguments).joined(separator: " "))
    }
}
