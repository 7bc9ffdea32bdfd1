import Foundation
import TestSupport

/// `nft monitor` running while a test watches what an agent does to `ip clc-proxy`: it sees every
/// change of every transaction, including states that a later transaction undoes within
/// milliseconds and that no listing or connection attempt would catch. It only listens.
final class TableMonitor: @unchecked Sendable {
    // @unchecked: `process` is only touched from the test that owns this object.
    private let process = Process()
    private let outputPath: String
    private var markers = 0

    /// Starts `nft monitor`; call ``waitUntilListening()`` before relying on what it sees.
    init() throws {
        outputPath = NSTemporaryDirectory() + "clc-nft-monitor-\(UUID().uuidString.prefix(8)).txt"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nft")
        process.arguments = ["monitor"]
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    /// What nft printed about table `ip clc-proxy` so far, one change a line.
    var events: [String] {
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init).filter { $0.contains(" ip clc-proxy") }
    }

    /// Adds marker chains to `ip clc-proxy` until the monitor prints one: from then on it misses
    /// nothing. The markers stay; whoever syncs the table next must remove them.
    /// - Throws: when nothing shows within 5 s.
    func waitUntilListening() async throws {
        try await eventually("nft monitor printing a change", timeout: .seconds(5), poll: .milliseconds(50)) {
            if events.contains(where: { $0.hasPrefix("add chain ip clc-proxy test-monitor-marker-") }) { return true }
            markers += 1
            try await HostCommand.check("/usr/sbin/nft", ["add", "chain", "ip", "clc-proxy", "test-monitor-marker-\(markers)"])
            return false
        }
    }

    /// Stops the monitor (our own child, by pid) and removes its output.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: outputPath)
    }
}
