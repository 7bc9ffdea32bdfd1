import Foundation

/// Where the real parts the integration tests drive live. `scripts/test.sh` starts a private
/// Docker engine and sets these; a test that needs one fails (never skips) when it is missing.
public enum TestEnvironment {
    /// The repository root, found from this file's path.
    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }  // Tests/Doubles/TestSupport/this file
        return url.path
    }()

    /// The private dockerd's socket (`CLC_TEST_DOCKER_SOCKET`).
    public static func dockerSocket() throws -> String {
        guard let socket = ProcessInfo.processInfo.environment["CLC_TEST_DOCKER_SOCKET"], !socket.isEmpty else {
            throw TestEnvironmentError(
                "CLC_TEST_DOCKER_SOCKET is not set: run the tests with scripts/test.sh, which starts a private dockerd")
        }
        guard FileManager.default.fileExists(atPath: socket) else {
            throw TestEnvironmentError("CLC_TEST_DOCKER_SOCKET=\(socket) does not exist: is the test dockerd running?")
        }
        return socket
    }

    /// The agent executable (`CLC_TEST_AGENT_BINARY`, else the debug build).
    public static func agentBinary() throws -> String {
        let path = ProcessInfo.processInfo.environment["CLC_TEST_AGENT_BINARY"] ?? repositoryRoot + "/.build/debug/clc-node"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestEnvironmentError("no agent executable at \(path): run `swift build` first (scripts/test.sh does)")
        }
        return path
    }

    /// The guestbook manifests our users run: `shared/guestbook` beside the repository.
    public static var guestbookDirectory: String {
        ProcessInfo.processInfo.environment["CLC_TEST_GUESTBOOK"]
            ?? URL(fileURLWithPath: repositoryRoot).deletingLastPathComponent().appendingPathComponent("shared/guestbook").path
    }

    /// A fresh temporary directory, removed by the caller.
    public static func temporaryDirectory(_ prefix: String) throws -> String {
        let path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A node name no other test uses, so agents sharing the engine never see each other's pods.
    public static func uniqueNodeName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(6).lowercased())"
    }
}

public struct TestEnvironmentError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
