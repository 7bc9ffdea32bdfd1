import Foundation

#if canImport(Glibc)
import Glibc
#endif

// What the benchmarks that drive a whole agent share: their error, waiting, /proc readings and
// the agent process.

/// A benchmark's failure, as a sentence.
public struct BenchError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Re-runs `body` every `every` until it gives a value; fails naming `what` after `timeout`.
public func firstValue<T>(
    _ what: String, timeout: Duration, every: Duration = .milliseconds(100), _ body: () async throws -> T?
) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await body() { return value }
        if ContinuousClock.now >= deadline { throw BenchError("timed out after \(timeout) waiting for \(what)") }
        try await Task.sleep(for: every)
    }
}

/// Readings of a process from /proc.
public enum Proc {
    /// The whole of a /proc file (they report size 0, so read until EOF).
    public static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A `kB` field of /proc/<pid>/status (VmRSS, RssAnon, RssFile, VmHWM) or a count (Threads).
    public static func status(_ pid: Int32, _ key: String) -> Int? {
        guard let text = read("/proc/\(pid)/status") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) }
        }
        return nil
    }

    /// utime + stime in clock ticks.
    public static func cpuTicks(_ pid: Int32) -> Int? {
        guard let text = read("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }

    public static var ticksPerSecond: Double { Double(sysconf(Int32(_SC_CLK_TCK))) }

    /// Open file descriptors.
    public static func descriptors(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
    }
}

/// `clc-node run` started by a benchmark: its output in a log file, its pid in a pidfile (which
/// the benchmark's script reads to kill it should the benchmark die first), a fresh state
/// directory, and neither JOURNAL_STREAM nor NOTIFY_SOCKET of the caller.
public final class BenchAgent: @unchecked Sendable {
    // @unchecked: used from the benchmark's single driving task.
    public let process = Process()
    public let logPath: String
    public let pidfile: String

    /// - Parameters:
    ///   - launcher: a command that execs the agent given after it (e.g. `nsenter --net=... --`).
    ///   - arguments: the agent's arguments after `run`.
    public init(
        binary: String, launcher: [String] = [], arguments: [String], stateDirectory: String, logPath: String, pidfile: String,
        log: (String) -> Void
    ) throws {
        self.logPath = logPath
        self.pidfile = pidfile
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        try? FileManager.default.removeItem(atPath: stateDirectory)
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        let command = launcher + [binary, "run", "--state-dir", stateDirectory] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        var environment = ProcessInfo.processInfo.environment
        environment["JOURNAL_STREAM"] = nil
        environment["NOTIFY_SOCKET"] = nil
        process.environment = environment
        log("starting agent: \(command.joined(separator: " "))")
        try process.run()
        try String(process.processIdentifier).write(toFile: pidfile, atomically: true, encoding: .utf8)
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// SIGTERM, SIGKILL after 20 s; the pidfile goes.
    public func stop() {
        if process.isRunning {
            kill(pid, SIGTERM)
            let deadline = Date().addingTimeInterval(20)
            while process.isRunning && Date() < deadline { usleep(50_000) }
            if process.isRunning { kill(pid, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: pidfile)
    }
}
