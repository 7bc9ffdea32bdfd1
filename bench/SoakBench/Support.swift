import BenchSupport
import Foundation
import MasterDouble

// The soak's pieces: its pods and services, the agent process, /proc readings, waiting.

let appImage = "clc-test/busybox:latest"
let nodeName = "soak"
let proxyTable = "clc-proxy"

func log(_ message: String) {
    FileHandle.standardError.write(Data("soak: \(message)\n".utf8))
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
        rssKB = Proc.status(pid, "VmRSS") ?? 0
        anonKB = Proc.status(pid, "RssAnon") ?? 0
        threads = Proc.status(pid, "Threads") ?? 0
        descriptors = Proc.descriptors(pid)
        cpuSeconds = Double(Proc.cpuTicks(pid) ?? 0) / Proc.ticksPerSecond
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
}
