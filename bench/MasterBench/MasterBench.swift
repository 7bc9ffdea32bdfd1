import ArgumentParser
import BenchSupport
import DockerEngine
import Foundation
import KubeAPI
import MasterDouble
import TestSupport

/// Master-mode benchmark of clc-node (issue 3): the agent joined to the master double on
/// 127.0.0.1, on the private Docker engine master.sh started. Prints figure | baseline | agent |
/// target; the baseline is measured in the same run.
///
///   1. watch-to-running for one pod (created in the double -> status Running with the container
///      running, seen by polling the double's store every 5 ms), `--reps` times, interleaved
///      with the same infra + app containers created straight through the Docker API;
///   2. requests to the double per minute with `--steady-pods` pods Running, by verb/resource;
///   3. agent RSS with `--max-pods` pods Running, and its CPU over `--idle` seconds.
@main
struct MasterBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clc-bench-master", abstract: "Master-mode benchmark of clc-node (bench/master.sh runs it).")

    @OptionGroup var options: Options

    func run() async throws {
        installSignalHandlers()
        do {
            try await Bench(options).run()
        } catch {
            log("error: \(error)")
            throw ExitCode(1)
        }
    }
}

struct Options: ParsableArguments {
    @Option(name: .customLong("docker-socket"), help: "The Docker engine the agent runs pods on.")
    var dockerSocket: String
    @Option(name: .customLong("agent"), help: "The clc-node binary.")
    var agentBinary: String
    @Option(help: "Scratch directory: agent log, state and results.")
    var work: String
    @Option(help: "Interleaved rounds of watch-to-running.")
    var reps = 7
    @Option(name: .customLong("steady-pods"), help: "Pods Running while requests are counted.")
    var steadyPods = 30
    @Option(name: .customLong("max-pods"), help: "Pods Running when memory is read.")
    var maxPods = 110
    @Option(name: .customLong("rate-window"), help: "Seconds requests are counted.")
    var rateWindow = 60.0
    @Option(name: .customLong("idle"), help: "Seconds the agent's idle CPU is measured.")
    var idleWindow = 30.0
    @Option(name: .customLong("start-timeout"), help: "Seconds the pods may take to run.")
    var startTimeout = 1200.0
    @Flag(help: "Fewer pods and shorter windows (BENCH_QUICK=1).")
    var quick = false

    func validate() throws {
        guard reps > 0, steadyPods > 0, rateWindow > 0, idleWindow > 0, startTimeout > 0 else {
            throw ValidationError("--reps, --steady-pods, --rate-window, --idle and --start-timeout must be positive")
        }
        guard maxPods >= steadyPods else { throw ValidationError("--max-pods must be >= --steady-pods") }
    }
}

// MARK: Results

struct SingleRound {
    var baseline: BaselineRun
    var baselineInfraCreate: Int64?
    var baselineInfraStart: Int64?
    var baselineAppStart: Int64?
    var pod: String
    var createdNs: Int64
    var seenNs: Int64
    var agentMs: Double { toMs(seenNs - createdNs) }
    /// Time the double logged the status write that made the pod Running.
    var runningPatchNs: Int64?
    var statusWrites = 0
    var infraCreate: Int64?
    var infraStart: Int64?
    var appStart: Int64?
    // from the agent's log (ms resolution), filled in at the end
    var firstLog: Int64?
    var logInfraStarted: Int64?
    var logAppStarted: Int64?
    var logRunning: Int64?
}

struct RateWindow {
    var pods: Int
    var seconds: Double
    var records: [RequestRecord]
    var openWatchesStart: Int
    var openWatchesEnd: Int

    var perMinute: Double { Double(records.count) * 60 / seconds }

    /// Watch streams and the node's own status and lease: what a node at rest may send.
    static func isNodeTraffic(_ r: RequestRecord) -> Bool {
        r.verb == "watch" || ["nodes", "nodes/status", "leases"].contains(r.resource)
    }

    static func isPerPod(_ r: RequestRecord) -> Bool {
        r.resource.hasPrefix("pods") || r.resource == "events"
    }

    var unexpected: [RequestRecord] { records.filter { !Self.isNodeTraffic($0) } }
    var perPod: [RequestRecord] { records.filter(Self.isPerPod) }

    /// (verb resource, count) sorted by count.
    var breakdown: [(String, Int)] {
        var counts: [String: Int] = [:]
        for record in records { counts["\(record.verb) \(record.resource.isEmpty ? record.path : record.resource)", default: 0] += 1 }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
    }
}

struct IdleWindow {
    var pods: Int
    var seconds: Double
    var cpuPercent: Double
    var memory: Memory
    var files: [(path: String, kb: Int)]
    var rssMaxKB: Int
    var requests: RateWindow
}

// MARK: The run

final class Bench: @unchecked Sendable {
    // @unchecked: driven by one task from start to end.
    let options: Options
    let docker: DockerClient
    let master: MasterDouble
    var events: EngineEvents!
    var agent: BenchAgent!

    var memoryEmpty: Memory?
    var memorySteady: Memory?
    var rounds: [SingleRound] = []
    var warmup: (baseline: Double, agent: Double)?
    var steadyStart: (ms: Double, engineMs: Double?)?
    var manyStart: (pods: Int, ms: Double, engineMs: Double?)?
    var rate: RateWindow?
    var idle: IdleWindow?

    init(_ options: Options) throws {
        self.options = options
        docker = DockerClient(socketPath: options.dockerSocket)
        master = try MasterDouble()
    }

    func run() async throws {
        try FileManager.default.createDirectory(atPath: options.work, withIntermediateDirectories: true)
        guard try await docker.inspectImage(name: appImage) != nil else {
            throw BenchError("\(appImage) missing: run scripts/build-images.sh")
        }
        let leftovers = try await removeContainers(docker, label: typeLabel)
        if leftovers > 0 { log("removed \(leftovers) leftover container(s)") }

        try master.start()
        master.schedulingNode = nodeName
        log("master double at \(master.url)")
        events = EngineEvents(socket: options.dockerSocket)
        agent = try BenchAgent(
            binary: options.agentBinary,
            arguments: [
                "--master", master.url, "--docker-socket", options.dockerSocket, "--node-name", nodeName, "--node-status-interval", "10",
            ],
            stateDirectory: options.work + "/state", logPath: options.work + "/agent.log", pidfile: options.work + "/agent.pid",
            log: log)
        runningAgentPID.store(agent.pid, ordering: .relaxed)
        defer {
            agent.stop()
            runningAgentPID.store(0, ordering: .relaxed)
            events.stop()
            master.stop()
        }
        let agentStarted = wallNs()
        _ = try await poll("the node registered in the double", timeout: .seconds(60), every: .milliseconds(20)) {
            guard agent.isRunning else { throw BenchError("the agent exited; see \(agent.logPath)") }
            return master.node(nodeName) != nil
        }
        log(String(format: "node registered %.0f ms after the agent started", toMs(wallNs() - agentStarted)))
        _ = try await poll("\(infraImage) present (the agent builds it)", timeout: .seconds(60), every: .milliseconds(100)) {
            try await docker.inspectImage(name: infraImage) != nil
        }
        try await Task.sleep(for: .seconds(2))
        memoryEmpty = Memory(pid: agent.pid)

        try await singlePods()
        try await steadyState()
        try await manyPods()
        fillLogTimes()
        let report = Report(bench: self).text
        print(report)
        try? report.write(toFile: options.work + "/results.txt", atomically: true, encoding: .utf8)
    }

    // MARK: 1. watch-to-running

    func singlePods() async throws {
        log("1/3 watch-to-running: warm-up, then \(options.reps) interleaved rounds")
        let warmBaseline = try await baselineRound("warm")
        let warmAgent = try await agentRound("warm")
        warmup = (warmBaseline.baseline.ms, warmAgent.agentMs)
        for i in 0..<options.reps {
            // alternate which goes first, so that neither always runs on a just-disturbed engine
            var round: SingleRound
            if i % 2 == 0 {
                let b = try await baselineRound("b\(i)")
                round = try await agentRound("single-\(i)")
                round.baseline = b.baseline
                round.baselineInfraCreate = b.baselineInfraCreate
                round.baselineInfraStart = b.baselineInfraStart
                round.baselineAppStart = b.baselineAppStart
            } else {
                round = try await agentRound("single-\(i)")
                let b = try await baselineRound("b\(i)")
                round.baseline = b.baseline
                round.baselineInfraCreate = b.baselineInfraCreate
                round.baselineInfraStart = b.baselineInfraStart
                round.baselineAppStart = b.baselineAppStart
            }
            rounds.append(round)
            log(String(format: "round %d: baseline %.1f ms, agent %.1f ms", i + 1, round.baseline.ms, round.agentMs))
        }
    }

    /// One baseline pod; returned inside a SingleRound shell.
    func baselineRound(_ name: String) async throws -> SingleRound {
        try await Task.sleep(for: .milliseconds(300))
        let run = try await baselinePod(docker, name: name)
        try await Task.sleep(for: .milliseconds(200))  // its events arrive
        let round = SingleRound(
            baseline: run, baselineInfraCreate: events.time("create", type: "podsandbox", pod: name),
            baselineInfraStart: events.time("start", type: "podsandbox", pod: name),
            baselineAppStart: events.time("start", type: "container", pod: name), pod: "", createdNs: 0, seenNs: 0)
        _ = try await removeContainers(docker, label: "\(baselineLabel)=\(name)")
        return round
    }

    func agentRound(_ name: String) async throws -> SingleRound {
        try await Task.sleep(for: .milliseconds(300))
        let since = Date()
        let created = wallNs()
        try master.create(podObject(name))
        let seen = try await poll("pod \(name) Running in the double", timeout: .seconds(60)) {
            Self.isRunning(master.object(kind: "pods", namespace: "default", name: name))
        }
        try await Task.sleep(for: .milliseconds(200))
        let writes = master.requests(since: since).filter {
            $0.resource == "pods/status" && $0.path.contains("/pods/\(name)/status")
        }
        var round = SingleRound(
            baseline: BaselineRun(startNs: 0, endNs: 0), pod: name, createdNs: created, seenNs: seen,
            runningPatchNs: writes.last(where: { ns($0.time) <= seen + 1_000_000 }).map { ns($0.time) },
            statusWrites: writes.count)
        round.infraCreate = events.time("create", type: "podsandbox", pod: name)
        round.infraStart = events.time("start", type: "podsandbox", pod: name)
        round.appStart = events.time("start", type: "container", pod: name)
        try await deletePods([name])
        return round
    }

    /// Deletes pods in the double (gracefully) and waits until the agent confirmed the deletion
    /// and removed their containers.
    func deletePods(_ names: [String]) async throws {
        for name in names { try master.deletePod(namespace: "default", name: name) }
        _ = try await poll("pods deleted from the double", timeout: .seconds(120), every: .milliseconds(50)) {
            names.allSatisfy { master.object(kind: "pods", namespace: "default", name: $0) == nil }
        }
        let wanted = Set(names)
        _ = try await poll("the agent removed the pods' containers", timeout: .seconds(120), every: .milliseconds(50)) {
            try await docker.listContainers(labels: ["io.clc-node.node=\(nodeName)"]).allSatisfy {
                !wanted.contains($0.labels["io.kubernetes.pod.name"] ?? "")
            }
        }
    }

    // MARK: 2. requests at steady state

    func steadyState() async throws {
        let n = options.steadyPods
        log("2/3 requests per minute: \(n) pods")
        let names = (0..<n).map { String(format: "steady-%02d", $0) }
        steadyStart = try await createAndWait(names, timeout: options.startTimeout)
        log(String(format: "  %d pods Running in the double %.0f ms after creation", n, steadyStart!.ms))
        let quiet = await settle()
        log(String(format: "  settled after %.1f s (no pod status/event write for 5 s)", quiet))
        memorySteady = Memory(pid: agent.pid)
        rate = try await countRequests(pods: n, seconds: options.rateWindow)
        log(String(format: "  %.1f requests/min over %.0f s", rate!.perMinute, rate!.seconds))
    }

    func countRequests(pods: Int, seconds: Double) async throws -> RateWindow {
        let start = Date()
        let openStart = master.openWatchCount
        try await Task.sleep(for: .seconds(seconds))
        let end = Date()
        return RateWindow(
            pods: pods, seconds: end.timeIntervalSince(start), records: master.requests(since: start).filter { $0.time < end },
            openWatchesStart: openStart, openWatchesEnd: master.openWatchCount)
    }

    /// Waits until no pod status or event write reached the double for 5 s (at most 60 s).
    func settle() async -> Double {
        let start = Date()
        while Date().timeIntervalSince(start) < 60 {
            let now = Date()
            let recent = master.requests(since: now.addingTimeInterval(-5)).filter(RateWindow.isPerPod)
            if recent.isEmpty && now.timeIntervalSince(start) >= 5 { break }
            try? await Task.sleep(for: .milliseconds(500))
        }
        return Date().timeIntervalSince(start)
    }

    /// Creates the pods in the double at once; waits until all are Running there.
    func createAndWait(_ names: [String], timeout: Double) async throws -> (ms: Double, engineMs: Double?) {
        let created = wallNs()
        for name in names { try master.create(podObject(name)) }
        let wanted = Set(names)
        var lastReport = Date()
        let seen = try await poll("\(names.count) pods Running in the double", timeout: .seconds(timeout), every: .milliseconds(100)) {
            guard agent.isRunning else { throw BenchError("the agent exited; see \(agent.logPath)") }
            let running = master.objects(kind: "pods", namespace: "default").filter {
                wanted.contains($0[path: ["metadata", "name"]]?.stringValue ?? "") && Self.isRunning($0)
            }.count
            if Date().timeIntervalSince(lastReport) >= 15 {
                lastReport = Date()
                log(String(format: "  %d/%d Running after %.0f s", running, names.count, toMs(wallNs() - created) / 1000))
            }
            return running == names.count
        }
        try await Task.sleep(for: .milliseconds(300))
        return (toMs(seen - created), events.lastAppStart(pods: wanted).map { toMs($0 - created) })
    }

    // MARK: 3. memory and CPU with many pods

    func manyPods() async throws {
        let more = options.maxPods - options.steadyPods
        log("3/3 memory: \(more) more pods, \(options.maxPods) in all (Docker on this machine takes a while)")
        let names = (0..<more).map { String(format: "many-%03d", $0) }
        let started = try await createAndWait(names, timeout: options.startTimeout)
        manyStart = (more, started.ms, started.engineMs)
        log(String(format: "  %d more pods Running in the double after %.1f s", more, started.ms / 1000))
        let quiet = await settle()
        log(String(format: "  settled after %.1f s; idle window %.0f s", quiet, options.idleWindow))
        let pid = agent.pid
        let hz = Proc.ticksPerSecond
        let startDate = Date()
        let openStart = master.openWatchCount
        let ticks0 = Proc.cpuTicks(pid) ?? 0
        let clock0 = ContinuousClock.now
        var rssMax = 0
        let end = clock0 + .seconds(options.idleWindow)
        while ContinuousClock.now < end {
            rssMax = max(rssMax, Proc.status(pid, "VmRSS") ?? 0)
            try await Task.sleep(for: min(.seconds(1), end - ContinuousClock.now))
        }
        let ticks1 = Proc.cpuTicks(pid) ?? 0
        let elapsed = ContinuousClock.now - clock0
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let endDate = Date()
        let memory = Memory(pid: pid)
        rssMax = max(rssMax, memory.rssKB)
        let requests = RateWindow(
            pods: options.maxPods, seconds: endDate.timeIntervalSince(startDate),
            records: master.requests(since: startDate).filter { $0.time < endDate }, openWatchesStart: openStart,
            openWatchesEnd: master.openWatchCount)
        idle = IdleWindow(
            pods: options.maxPods, seconds: seconds, cpuPercent: 100 * Double(ticks1 - ticks0) / hz / seconds,
            memory: memory, files: Proc.fileMappings(pid), rssMaxKB: rssMax, requests: requests)
        log("  \(memory.summary); CPU \(String(format: "%.2f", idle!.cpuPercent))%")
    }

    // MARK: Agent log timeline of the single-pod rounds

    func fillLogTimes() {
        for i in rounds.indices {
            let pod = "pod.name=\(rounds[i].pod) "
            let since = rounds[i].createdNs
            let lines = agent.logLines(since: since, containing: [pod])
            rounds[i].firstLog = lines.first?.0
            rounds[i].logInfraStarted = lines.first { $0.1.contains(" started infra container") }?.0
            rounds[i].logAppStarted = lines.first { $0.1.contains(" started container") }?.0
            rounds[i].logRunning = lines.first { $0.1.contains(" pod Running") }?.0
        }
    }

    // MARK: Pods

    func podObject(_ name: String) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": .string(name), "namespace": "default"],
            "spec": [
                "nodeName": .string(nodeName), "restartPolicy": "Always", "terminationGracePeriodSeconds": 5,
                "containers": [[
                    "name": "app", "image": .string(appImage), "imagePullPolicy": "IfNotPresent",
                    "command": .array(appCommand.map { .string($0) }),
                ]],
            ],
        ]
    }

    /// status.phase Running and every container running, not being deleted.
    static func isRunning(_ pod: JSONValue?) -> Bool {
        guard let pod, pod[path: ["metadata", "deletionTimestamp"]] == nil,
            pod[path: ["status", "phase"]]?.stringValue == "Running",
            let statuses = pod[path: ["status", "containerStatuses"]]?.arrayValue, !statuses.isEmpty
        else { return false }
        return statuses.allSatisfy { $0[path: ["state", "running"]] != nil }
    }
}
