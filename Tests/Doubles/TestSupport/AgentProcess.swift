import Foundation

/// A `clc-node run` process started by a test, with its log in a file.
public final class AgentProcess: @unchecked Sendable {
    // @unchecked: `process` is only touched from the test that owns this object.
    public let nodeName: String
    public let logPath: String
    public let manifestDirectory: String
    public let stateDirectory: String
    private let process = Process()

    /// Starts the agent on `manifestDirectory` against the test engine.
    /// - Parameters:
    ///   - dockerSocket: the engine; the test engine when nil.
    ///   - networkNamespace: a network namespace (`ip netns` name) to run the agent in, through
    ///     `nsenter --net` (a simulated node of scripts/netns-nodes.sh).
    ///   - environment: variables set for the agent on top of the test's own (which never
    ///     include `JOURNAL_STREAM` or `NOTIFY_SOCKET` unless given here).
    ///   - launcher: a command that execs the agent given as its last arguments (e.g.
    ///     `scripts/journald-sandbox.sh DIR`); the agent is started directly when empty.
    ///   - stateDirectory: the agent's `--state-dir` (created when missing, removed by
    ///     ``cleanUp()``), for a test that must name files in it among the arguments; a fresh
    ///     temporary directory when nil.
    public init(
        nodeName: String, manifestDirectory: String, dockerSocket: String? = nil, extraArguments: [String] = [],
        networkNamespace: String? = nil, environment extra: [String: String] = [:], stateDirectory chosen: String? = nil,
        launcher: [String] = []
    ) throws {
        self.nodeName = nodeName
        self.manifestDirectory = manifestDirectory
        if let chosen {
            try FileManager.default.createDirectory(atPath: chosen, withIntermediateDirectories: true)
            self.stateDirectory = chosen
        } else {
            self.stateDirectory = try TestEnvironment.temporaryDirectory("clc-state")
        }
        self.logPath = stateDirectory + "/agent.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let agent = try TestEnvironment.agentBinary()
        let socket = try dockerSocket ?? TestEnvironment.dockerSocket()
        process.executableURL = URL(fileURLWithPath: networkNamespace == nil ? agent : "/usr/bin/nsenter")
        // nsenter execs the agent, so the process ID stays the agent's.
        var prefix = networkNamespace.map { ["--net=/run/netns/\($0)", "--", agent] } ?? []
        if let command = launcher.first {
            process.executableURL = URL(fileURLWithPath: command)
            prefix = launcher.dropFirst() + [agent]
        }
        process.arguments = prefix + [
            "run", "--manifest-dir", manifestDirectory, "--docker-socket", socket,
            "--node-name", nodeName, "--state-dir", stateDirectory, "--log-level", "debug",
        ] + (extraArguments.contains("--proxy-mode") ? [] : ["--proxy-mode", "none"])
            + (extraArguments.contains("--metrics-bind-address") || extra["CLC_NODE_METRICS_BIND_ADDRESS"] != nil
                ? [] : ["--metrics-bind-address", "127.0.0.1:0"])
            // Agents of parallel tests share the host's ports: the node API on any free port,
            // no healthz listener, unless a test asks for them.
            + (extraArguments.contains("--port") || extra["CLC_NODE_PORT"] != nil ? [] : ["--port", "0"])
            + (extraArguments.contains("--healthz-port") || extra["CLC_NODE_HEALTHZ_PORT"] != nil ? [] : ["--healthz-port", "0"])
            + extraArguments
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        var environment = ProcessInfo.processInfo.environment
        environment["JOURNAL_STREAM"] = nil
        environment["NOTIFY_SOCKET"] = nil
        environment.merge(extra) { $1 }
        process.environment = environment
        try process.run()
    }

    /// Starts another agent process for the same node, directories and log.
    public init(restarting previous: AgentProcess, extraArguments: [String] = [], environment extra: [String: String] = [:]) throws {
        nodeName = previous.nodeName
        manifestDirectory = previous.manifestDirectory
        stateDirectory = previous.stateDirectory
        logPath = previous.logPath
        process.executableURL = previous.process.executableURL
        process.arguments = previous.process.arguments
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        process.environment = (previous.process.environment ?? [:]).merging(extra) { $1 }
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// Sends `signal` and waits for the process to end.
    public func stop(signal: Int32 = SIGTERM) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }

    /// Everything the agent logged so far.
    public var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// Stops the agent and removes its state directory (not its containers).
    public func cleanUp() {
        stop(signal: SIGKILL)
        try? FileManager.default.removeItem(atPath: stateDirectory)
    }
}
