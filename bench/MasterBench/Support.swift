import BenchSupport
import DockerEngine
import Foundation
import MasterDouble
import Synchronization

// Shared pieces of the master-mode benchmark: clocks, /proc readings, the agent process, the
// engine's event log and the raw Docker baseline.

let infraImage = "clc-node/pause:3.0"
let appImage = "clc-test/busybox:latest"
let appCommand = ["sh", "-c", #"trap "exit 0" TERM; sleep 100000 & wait"#]
let nodeName = "bench"
let baselineLabel = "io.clc-bench.baseline"
let typeLabel = "io.kubernetes.docker.type"

func log(_ message: String) {
    FileHandle.standardError.write(Data("master-bench: \(message)\n".utf8))
}

// MARK: Clocks

/// CLOCK_REALTIME in nanoseconds: the clock of the engine's `timeNano`, of the agent's log
/// timestamps and (via `Date`) of the double's request log.
func wallNs() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

func ns(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1e9).rounded()) }

func toMs(_ nanoseconds: Int64) -> Double { Double(nanoseconds) / 1e6 }

func median(_ values: [Double]) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/// Polls `condition` every `every` until it holds; the wall time (ns) it was seen holding.
func poll(
    _ what: String, timeout: Duration, every: Duration = .milliseconds(5), _ condition: () async throws -> Bool
) async throws -> Int64 {
    try await firstValue(what, timeout: timeout, every: every) { try await condition() ? wallNs() : nil }
}

// MARK: /proc

extension Proc {
    /// Resident kB of each mapped file (/proc/<pid>/smaps), largest first: what RssFile is made of.
    static func fileMappings(_ pid: Int32) -> [(path: String, kb: Int)] {
        guard let text = read("/proc/\(pid)/smaps") else { return [] }
        var sizes: [String: Int] = [:]
        var current: String?
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if let first = fields.first, first.contains("-"), first.first?.isHexDigit == true, fields.count >= 5 {
                current = fields.count >= 6 && fields[5].hasPrefix("/") ? fields[5...].joined(separator: " ") : nil
            } else if let path = current, fields.first == "Rss:", fields.count >= 2, let kb = Int(fields[1]) {
                sizes[path, default: 0] += kb
            }
        }
        return sizes.map { (path: $0.key, kb: $0.value) }.sorted { $0.kb > $1.kb }
    }
}

struct Memory: Codable {
    var rssKB: Int
    var anonKB: Int
    var fileKB: Int
    var hwmKB: Int
    var threads: Int

    init(pid: Int32) {
        rssKB = Proc.status(pid, "VmRSS") ?? 0
        anonKB = Proc.status(pid, "RssAnon") ?? 0
        fileKB = Proc.status(pid, "RssFile") ?? 0
        hwmKB = Proc.status(pid, "VmHWM") ?? 0
        threads = Proc.status(pid, "Threads") ?? 0
    }

    var summary: String {
        String(format: "VmRSS %.1f MB (RssAnon %.1f + RssFile %.1f), VmHWM %.1f MB, %d threads",
               Double(rssKB) / 1024, Double(anonKB) / 1024, Double(fileKB) / 1024, Double(hwmKB) / 1024, threads)
    }
}

// MARK: The agent process

/// PID of the running agent, for the signal handlers.
let runningAgentPID = Atomic<Int32>(0)
nonisolated(unsafe) var signalSources: [any DispatchSourceSignal] = []

/// SIGINT/SIGTERM: stop the agent (it leaves its containers, which master.sh removes), exit.
func installSignalHandlers() {
    for sig in [SIGINT, SIGTERM] {
        signal(sig, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        source.setEventHandler {
            log("signal \(sig): stopping")
            let pid = runningAgentPID.load(ordering: .relaxed)
            if pid > 0 { terminate(pid: pid, grace: 5) }
            exit(128 + sig)
        }
        source.resume()
        signalSources.append(source)
    }
}

/// SIGTERM, then SIGKILL after `grace` seconds.
func terminate(pid: Int32, grace: Double) {
    kill(pid, SIGTERM)
    let deadline = Date().addingTimeInterval(grace)
    while Date() < deadline {
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid || kill(pid, 0) != 0 { return }
        usleep(50_000)
    }
    kill(pid, SIGKILL)
}

extension BenchAgent {
    var logText: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// (wall ns, line) of log lines at or after `since` that contain every one of `needles`.
    func logLines(since: Int64, containing needles: [String]) -> [(Int64, Substring)] {
        logText.split(separator: "\n").compactMap { line -> (Int64, Substring)? in
            guard needles.allSatisfy({ line.contains($0) }), let time = Self.time(of: line), time >= since - 1_000_000
            else { return nil }
            return (time, line)
        }
    }

    /// `2026-11-25T15:32:18.361Z ...` -> ns (ms resolution).
    static func time(of line: Substring) -> Int64? {
        guard line.count >= 24 else { return nil }
        let stamp = line.prefix(23)  // yyyy-MM-ddTHH:mm:ss.SSS
        let parts = stamp.split(whereSeparator: { "-T:.".contains($0) }).compactMap { Int($0) }
        guard parts.count == 7 else { return nil }
        var tm = tm()
        tm.tm_year = Int32(parts[0] - 1900)
        tm.tm_mon = Int32(parts[1] - 1)
        tm.tm_mday = Int32(parts[2])
        tm.tm_hour = Int32(parts[3])
        tm.tm_min = Int32(parts[4])
        tm.tm_sec = Int32(parts[5])
        let seconds = timegm(&tm)
        return Int64(seconds) * 1_000_000_000 + Int64(parts[6]) * 1_000_000
    }
}

// MARK: Engine events

/// Every create/start event of containers carrying `io.kubernetes.docker.type` (the agent's and
/// the baseline's), with the engine's timeNano, watched for the whole run on a connection of
/// its own.
final class EngineEvents: Sendable {
    struct Event: Sendable {
        var action: String
        var type: String
        var pod: String
        var timeNs: Int64
    }

    private let events = Mutex<[Event]>([])
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(socket: String) {
        let client = DockerClient(socketPath: socket, maxConcurrentRequests: 2)
        let stream = client.containerEvents(labels: [typeLabel])
        task.withLock {
            $0 = Task { [weak self] in
                do {
                    for try await event in stream {
                        guard event.action == "start" || event.action == "create" else { continue }
                        let attributes = event.actor.attributes
                        let pod = attributes[baselineLabel] ?? attributes["io.kubernetes.pod.name"] ?? ""
                        let record = Event(
                            action: event.action, type: attributes[typeLabel] ?? "", pod: pod,
                            timeNs: event.timeNano ?? wallNs())
                        self?.events.withLock { $0.append(record) }
                    }
                    if !Task.isCancelled { log("warning: the engine's event stream ended") }
                } catch {
                    if !Task.isCancelled { log("warning: the engine's event stream failed: \(error)") }
                }
            }
        }
    }

    func stop() { task.withLock { $0?.cancel() } }

    /// First time of `action` on a container of `type` ("podsandbox", "container") of `pod`.
    func time(_ action: String, type: String, pod: String) -> Int64? {
        events.withLock { all in all.first { $0.action == action && $0.type == type && $0.pod == pod }?.timeNs }
    }

    /// Last start of an app container among `pods`.
    func lastAppStart(pods: Set<String>) -> Int64? {
        events.withLock { all in
            all.filter { $0.action == "start" && $0.type == "container" && pods.contains($0.pod) }.map(\.timeNs).max()
        }
    }
}

// MARK: The baseline: the same pod through the Docker API

struct BaselineRun {
    var startNs: Int64
    var endNs: Int64
    var ms: Double { toMs(endNs - startNs) }
}

/// Infra container (clc-node/pause:3.0) + app container joining its network and IPC
/// namespaces, straight through the Docker API: create infra, start, inspect, create app,
/// start. Ends when the app's start call returns.
func baselinePod(_ docker: DockerClient, name: String) async throws -> BaselineRun {
    let infraConfig = ContainerCreateConfig(
        image: infraImage, hostname: name, labels: [baselineLabel: name, typeLabel: "podsandbox"],
        hostConfig: HostConfig(ipcMode: "shareable", cpuShares: 2))
    let start = wallNs()
    let infra = try await docker.createContainer(name: "bench_POD_\(name)", config: infraConfig)
    try await docker.startContainer(id: infra)
    _ = try await docker.inspectContainer(id: infra)
    let appConfig = ContainerCreateConfig(
        image: appImage, entrypoint: appCommand, labels: [baselineLabel: name, typeLabel: "container"],
        hostConfig: HostConfig(networkMode: "container:\(infra)", ipcMode: "container:\(infra)"))
    let app = try await docker.createContainer(name: "bench_app_\(name)", config: appConfig)
    try await docker.startContainer(id: app)
    return BaselineRun(startNs: start, endNs: wallNs())
}

/// Removes containers carrying `label`: apps first, then the infra containers they join.
func removeContainers(_ docker: DockerClient, label: String) async throws -> Int {
    let found = try await docker.listContainers(labels: [label])
    let ordered = found.sorted { ($0.labels[typeLabel] == "container" ? 0 : 1) < ($1.labels[typeLabel] == "container" ? 0 : 1) }
    for container in ordered {
        do {
            try await docker.removeContainer(id: container.id)
        } catch {
            if !error.isNotFound { throw error }
        }
    }
    return found.count
}
