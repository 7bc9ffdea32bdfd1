import Foundation
import MasterDouble

// The soak's pieces: its pods and services, the agent process, /proc readings, waiting.

let appImage = "clc-test/busybox:latest"
let nodeName = "soak"
let proxyTable = "clc-proxy"

func log(_ message: String) {
    FileHandle.standardError.write(Data("soak: \(message)\n".utf8))
}

struct SoakError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Re-checks `condition` every `every` until it holds.
func poll(
    _ what: String, timeout: Duration, every: Duration = .milliseconds(100), _ condition: () async throws -> Bool
) async throws {
    _ = try await firstValue(what, timeout: timeout, every: every) { try await condition() ? true : nil }
}

/// Re-runs `body` every `every` until it gives a value.
func firstValue<T>(
    _ what: String, timeout: Duration, every: Duration = .milliseconds(100), _ body: () async throws -> T?
) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await body() { return value }
        if ContinuousClock.now >= deadline { throw SoakError("timed out after \(timeout) waiting for \(what)") }
        try await Task.sleep(for: every)
    }
}

// MARK: The objects of one cycle

enum Manifests {
    /// busybox httpd on 8080 (it daemonizes); the shell waits for SIGTERM and exits 0 at once.
    static let script = "mkdir -p /www && echo ok > /www/index.html && httpd -p 8080 -h /www && trap 'exit 0' TERM; sleep 100000 & wait"

    /// HTTP liveness (GET / on 8080) and exec readiness (cat the page), both every second.
    static func pod(_ name: String) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": .string(name), "namespace": "default", "labels": ["app": .string(name)]],
            "spec": [
                "nodeName": .string(nodeName), "restartPolicy": "Always", "terminationGracePeriodSeconds": 2,
                "containers": [[
                    "name": "web", "image": .string(appImage), "imagePullPolicy": "IfNotPresent",
                    "command": ["sh", "-c", .string(script)], "ports": [["containerPort": 8080]],
                    "livenessProbe": ["httpGet": ["path": "/", "port": 8080], "periodSeconds": 1, "failureThreshold": 5],
                    "readinessProbe": ["exec": ["command": ["cat", "/www/index.html"]], "periodSeconds": 1],
                ]],
            ],
        ]
    }

    /// A NodePort service (cluster IP and node port from the double) on port 80 to the pod's 8080.
    static func service(_ name: String) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Service",
            "metadata": ["name": .string(name), "namespace": "default"],
            "spec": [
                "type": "NodePort", "selector": ["app": .string(name)],
                "ports": [["protocol": "TCP", "port": 80, "targetPort": 8080]],
            ],
        ]
    }

    /// status.phase Running, every container running and ready, not being deleted.
    static func isRunningAndReady(_ pod: JSONValue?) -> Bool {
        guard let pod, pod[path: ["metadata", "deletionTimestamp"]] == nil,
            pod[path: ["status", "phase"]]?.stringValue == "Running",
            let statuses = pod[path: ["status", "containerStatuses"]]?.arrayValue, !statuses.isEmpty
        else { return false }
        return statuses.allSatisfy { $0[path: ["state", "running"]] != nil && $0["ready"]?.boolValue == true }
    }
}

// MARK: /proc

/// The agent's resources at one point of the soak.
struct Sample {
    var cycle: Int
    var rssKB: Int
    var anonKB: Int
    var descriptors: Int
    var threads: Int
    var cpuSeconds: Double
    /// Since the first cycle started.
    var elapsed: Double
    /// create -> ready + delete -> gone of each cycle of the batch this sample ends.
    var cycleSeconds: [Double]

    init(cycle: Int, pid: Int32, elapsed: Double, cycleSeconds: [Double]) {
        self.cycle = cycle
        rssKB = Self.status(pid, "VmRSS") ?? 0
        anonKB = Self.status(pid, "RssAnon") ?? 0
        threads = Self.status(pid, "Threads") ?? 0
        descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
        cpuSeconds = Self.cpuSeconds(pid) ?? 0
        self.elapsed = elapsed
        self.cycleSeconds = cycleSeconds
    }

    var medianCycle: Double? {
        guard !cycleSeconds.isEmpty else { return nil }
        return cycleSeconds.sorted()[cycleSeconds.count / 2]
    }

    var line: String {
        String(
            format: "cycle %4d: VmRSS %.1f MB (anon %.1f), %d fds, %d threads, CPU %.1f s, at %.0f s",
            cycle, Double(rssKB) / 1024, Double(anonKB) / 1024, descriptors, threads, cpuSeconds, elapsed)
    }

    /// A field of /proc/<pid>/status, in kB for sizes.
    static func status(_ pid: Int32, _ key: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) }
        }
        return nil
    }

    /// utime + stime of /proc/<pid>/stat.
    static func cpuSeconds(_ pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

// MARK: The agent

/// `clc-node run` in the node's network namespace (`nsenter --net`, which execs the agent, so
/// the process ID is the agent's), joined to the double, its output in WORK/agent.log and its
/// pid in WORK/agent.pid (which soak.sh reads if this process dies first).
final class AgentProcess: @unchecked Sendable {
    // @unchecked: used from the soak's driving task only.
    let process = Process()
    let logPath: String
    let pidfile: String

    init(_ options: Options, masterURL: String) throws {
        logPath = options.work + "/agent.log"
        pidfile = options.work + "/agent.pid"
        let stateDir = options.work + "/state"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        try? FileManager.default.removeItem(atPath: stateDir)
        try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
        process.arguments = [
            "--net=/run/netns/\(options.networkNamespace)", "--", options.agentBinary,
            "run", "--master", masterURL, "--docker-socket", options.dockerSocket, "--node-name", nodeName,
            "--node-ip", options.nodeIP, "--state-dir", stateDir, "--proxy-mode", "nftables",
        ]
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        var environment = ProcessInfo.processInfo.environment
        environment["JOURNAL_STREAM"] = nil
        environment["NOTIFY_SOCKET"] = nil
        process.environment = environment
        log("starting agent: \(process.arguments!.joined(separator: " "))")
        try process.run()
        try String(process.processIdentifier).write(toFile: pidfile, atomically: true, encoding: .utf8)
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// SIGTERM, SIGKILL after 20 s.
    func stop() {
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
