import ArgumentParser
import BenchSupport
import DockerEngine
import Foundation
import MasterDouble

/// The soak of issue 13: `--cycles` pod create/delete cycles through the master double, each a
/// pod with an HTTP liveness and an exec readiness probe and a NodePort Service selecting it,
/// `--in-flight` cycles at a time, against an agent in a network namespace of its own (see
/// bench/soak.sh, which builds the namespace, its dockerd and this command line).
///
/// One cycle: create the Service and the Pod in the double; wait until the double shows the
/// pod Running and Ready and the agent's table `ip clc-proxy` has a slot for the
/// service; delete both; wait until the double has forgotten the pod, the engine has no
/// container of it and the table nothing of the service.
///
/// Every `--sample-every` cycles the cycles in flight finish, the agent rests 12 s, and its
/// VmRSS, RssAnon, open descriptors and threads are read from /proc. At the end: the table of
/// samples, the ratio last/first-after-warm-up (cycle 1,000 / cycle 100) of each against 10 %,
/// the engine's containers of the agent and the table's entries left behind (against the
/// listing taken before the first cycle). Exits 1 when a figure fails.
@main
struct SoakBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clc-bench-soak", abstract: "The soak of issue 13 (bench/soak.sh builds its namespace and command line).")

    @OptionGroup var options: Options

    func run() async throws {
        let passed: Bool
        do {
            passed = try await Soak(options).run()
        } catch {
            log("error: \(error)")
            throw ExitCode(1)
        }
        if !passed { throw ExitCode(1) }
    }
}

struct Options: ParsableArguments {
    @Option(name: .customLong("docker-socket"), help: "The node's Docker engine.")
    var dockerSocket: String
    @Option(name: .customLong("agent"), help: "The clc-node binary.")
    var agentBinary: String
    @Option(name: .customLong("netns"), help: "The node's network namespace (ip netns name).")
    var networkNamespace: String
    @Option(name: .customLong("master-host"), help: "The address the master double listens on.")
    var masterHost: String
    @Option(name: .customLong("node-ip"), help: "The node's address.")
    var nodeIP: String
    @Option(help: "Scratch directory: agent log, state and results.")
    var work: String
    @Option(help: "Pod and Service create/delete cycles.")
    var cycles = 1000
    @Option(name: .customLong("in-flight"), help: "Cycles at a time.")
    var inFlight = 10
    @Option(name: .customLong("sample-every"), help: "Cycles between samples.")
    var sampleEvery = 100
    @Option(name: .customLong("cycle-timeout"), help: "Seconds one cycle may take.")
    var cycleTimeout = 180.0

    func validate() throws {
        guard cycles > 0, inFlight > 0, sampleEvery > 0, cycleTimeout > 0 else {
            throw ValidationError("--cycles, --in-flight, --sample-every and --cycle-timeout must be positive")
        }
    }
}

/// What one cycle took, or why it failed.
struct CycleResult: Sendable {
    var index: Int
    /// Creation -> Running and Ready in the double, with the service's endpoint in the table.
    var readySeconds: Double?
    /// Deletion -> pod gone from the double, containers from the engine, service from the table.
    var goneSeconds: Double?
    var failure: String?
}

final class Soak: @unchecked Sendable {
    // @unchecked: `samples`, `results` and `agent` are touched by the driving task only; the
    // cycles' tasks use the thread-safe double and observer.
    let options: Options
    let docker: DockerClient
    let master: MasterDouble
    let observer: Observer
    var agent: BenchAgent!
    var samples: [Sample] = []
    var results: [CycleResult] = []

    init(_ options: Options) throws {
        self.options = options
        docker = DockerClient(socketPath: options.dockerSocket)
        master = try MasterDouble(host: options.masterHost)
        observer = Observer(docker: docker, networkNamespace: options.networkNamespace)
    }

    func run() async throws -> Bool {
        try FileManager.default.createDirectory(atPath: options.work, withIntermediateDirectories: true)
        guard try await docker.inspectImage(name: appImage) != nil else { throw BenchError("\(appImage) missing from the engine") }
        try master.start()
        master.schedulingNode = nodeName
        log("master double at \(master.url)")
        agent = try BenchAgent(
            binary: options.agentBinary, launcher: ["/usr/bin/nsenter", "--net=/run/netns/\(options.networkNamespace)", "--"],
            arguments: [
                "--master", master.url, "--docker-socket", options.dockerSocket, "--node-name", nodeName, "--node-ip", options.nodeIP,
                "--proxy-mode", "nftables",
            ],
            stateDirectory: options.work + "/state", logPath: options.work + "/agent.log", pidfile: options.work + "/agent.pid",
            log: log)
        defer {
            agent.stop()
            observer.stop()
            master.stop()
        }
        _ = try await poll("the node registered in the double", timeout: .seconds(60)) {
            guard agent.isRunning else { throw BenchError("the agent exited; see \(agent.logPath)") }
            return master.node(nodeName) != nil
        }
        observer.start()
        // The proxy's first sync (the `kubernetes` service): the table as it is with no soak
        // service, against which leftovers are counted.
        _ = try await firstValue("table ip \(proxyTable) in the agent's namespace", timeout: .seconds(60)) {
            try await observer.snapshot(after: .now).table
        }
        try await Task.sleep(for: Self.rest)
        let baseline = try await firstValue("the table at rest", timeout: .seconds(30)) {
            try await observer.snapshot(after: .now).table
        }
        samples.append(Sample(cycle: 0, pid: agent.pid, elapsed: 0, cycleSeconds: []))

        let started = ContinuousClock.now
        var next = 1
        while next <= options.cycles {
            let last = min(options.cycles, next + options.sampleEvery - 1)
            let batch = await runCycles(next...last)
            results += batch
            let failed = results.filter { $0.failure != nil }
            guard failed.count * 20 <= max(results.count, 20) else {
                throw BenchError("\(failed.count) of \(results.count) cycles failed; first: \(failed[0].failure ?? "")")
            }
            guard agent.isRunning else { throw BenchError("the agent exited; see \(agent.logPath)") }
            try await Task.sleep(for: Self.rest)  // the agent at rest, as at cycle 0
            let sample = Sample(
                cycle: last, pid: agent.pid, elapsed: seconds(ContinuousClock.now - started),
                cycleSeconds: batch.compactMap { r in r.readySeconds.flatMap { a in r.goneSeconds.map { a + $0 } } })
            samples.append(sample)
            log(sample.line + "  (\(batch.filter { $0.failure != nil }.count) failed)")
            next = last + 1
        }

        let leftovers = try await leftoversAtEnd(baseline: baseline)
        let report = Report(options: options, samples: samples, results: results, leftovers: leftovers)
        print(report.text)
        try? report.text.write(toFile: options.work + "/results.txt", atomically: true, encoding: .utf8)
        return report.passed
    }

    /// Runs the cycles `range`, at most `--in-flight` at once; returns when all ended.
    func runCycles(_ range: ClosedRange<Int>) async -> [CycleResult] {
        await withTaskGroup(of: CycleResult.self) { group in
            var pending = range.makeIterator()
            for _ in 0..<options.inFlight {
                guard let index = pending.next() else { break }
                group.addTask { await self.cycle(index) }
            }
            var done: [CycleResult] = []
            for await result in group {
                if let failure = result.failure { log("cycle \(result.index) failed: \(failure)") }
                done.append(result)
                if let index = pending.next() { group.addTask { await self.cycle(index) } }
            }
            return done.sorted { $0.index < $1.index }
        }
    }

    // MARK: One cycle

    func cycle(_ index: Int) async -> CycleResult {
        let name = String(format: "soak-%04d", index)
        var result = CycleResult(index: index)
        let timeout = Duration.seconds(options.cycleTimeout)
        do {
            let created = ContinuousClock.now
            try master.create(Manifests.service(name))
            let service = master.object(kind: "services", name: name)
            let clusterIP = service?[path: ["spec", "clusterIP"]]?.stringValue ?? "-"
            let nodePort = service?[path: ["spec", "ports"]]?.arrayValue?.first?["nodePort"]?.intValue
            try master.create(Manifests.pod(name))
            _ = try await poll("\(name) Running and Ready", timeout: timeout, every: .milliseconds(100)) {
                Manifests.isRunningAndReady(master.object(kind: "pods", name: name))
            }
            _ = try await poll("a slot of service \(name)", timeout: timeout) {
                try await observer.snapshot(after: created).table?.hasEndpoint(clusterIP: clusterIP) == true
            }
            result.readySeconds = seconds(ContinuousClock.now - created)

            let deleted = ContinuousClock.now
            try master.delete(kind: "services", name: name)
            try master.deletePod(name: name)
            _ = try await poll("\(name) gone from the double", timeout: timeout, every: .milliseconds(100)) {
                master.object(kind: "pods", name: name) == nil
            }
            _ = try await poll("\(name)'s containers and rules gone", timeout: timeout) {
                let snapshot = try await observer.snapshot(after: deleted)
                return !snapshot.podsWithContainers.contains(name) && snapshot.table?.mentions(service: name, clusterIP: clusterIP, nodePort: nodePort) == false
            }
            result.goneSeconds = seconds(ContinuousClock.now - deleted)
        } catch {
            result.failure = "\(error)"
            try? master.delete(kind: "services", name: name)
            _ = try? master.deletePod(name: name, gracePeriodSeconds: 0)
        }
        return result
    }

    // MARK: The end

    /// How long the agent rests before a sample: longer than its worker pools keep an idle
    /// thread (5 s), so a sample counts the threads and descriptors the agent keeps, not those
    /// of the last batch's requests that are about to end.
    static let rest = Duration.seconds(12)

    /// Containers of the agent in the engine, and what the table holds beyond the baseline,
    /// once every cycle ended (a last look after a full sync's worth of waiting).
    func leftoversAtEnd(baseline: ProxyTable) async throws -> Leftovers {
        try await Task.sleep(for: .seconds(5))
        let containers = try await docker.listContainers(labels: ["io.clc-node.node=\(nodeName)"])
        let all = try await docker.listContainers(labels: [])
        guard let table = try await observer.snapshot(after: .now).table else {
            throw BenchError("table ip \(proxyTable) gone at the end")
        }
        return Leftovers(
            agentContainers: containers.map { "\($0.names.first ?? $0.id) (\($0.state))" },
            engineContainers: all.count,
            tableEntries: table.entries.subtracting(baseline.entries).sorted(),
            baselineEntries: baseline.entries.count,
            finalEntries: table.entries.count,
            soakPodsInDouble: soakObjects("pods"), soakServicesInDouble: soakObjects("services"))
    }

    func soakObjects(_ kind: String) -> Int {
        master.objects(kind: kind).filter { ($0[path: ["metadata", "name"]]?.stringValue ?? "").hasPrefix("soak-") }.count
    }
}

struct Leftovers {
    var agentContainers: [String]
    var engineContainers: Int
    var tableEntries: [String]
    var baselineEntries: Int
    var finalEntries: Int
    var soakPodsInDouble: Int
    var soakServicesInDouble: Int
}
