import AgentTime
import DockerEngine
import Foundation
import KubeAPI
import Logging
import Probes
import ServiceLifecycle
import Synchronization

/// The node's pod loop: holds the desired pods from the sources, runs one worker per pod that
/// syncs it whenever something about it changes (a source update, a container event from the
/// engine, a back-off ending) and every `resyncInterval` in any case, and keeps each pod's
/// latest status.
///
/// Stopping the manager stops the workers, never the pods: an agent restart must leave running
/// containers alone.
public actor PodManager: ServiceLifecycle.Service {
    public struct Configuration: Sendable {
        /// Sync every pod at least this often, even without events.
        public var resyncInterval: Duration
        /// Retry a sync that failed (engine unreachable) after this long.
        public var retryInterval: Duration

        public init(resyncInterval: Duration = .seconds(10), retryInterval: Duration = .seconds(2)) {
            self.resyncInterval = resyncInterval
            self.retryInterval = retryInterval
        }
    }

    /// A pod's last known state, for status reporting.
    public struct PodRecord: Sendable, Hashable {
        public var pod: Pod
        public var status: PodStatus
        public var observed: ObservedPod
    }

    private let syncer: PodSyncer
    /// Liveness, readiness and startup probes of the running containers.
    public nonisolated let probes: ProbeManager
    private let engine: any DockerEngine
    private let nodeName: String
    private let configuration: Configuration
    private let statusBuilder: PodStatusBuilder
    private let logger: Logger

    private var desired: [String: Pod] = [:]
    private var services: [KubeAPI.Service] = []
    private var workers: [String: (wakeup: Wakeup, task: Task<Void, Never>)] = [:]
    private var records: [String: PodRecord] = [:] { didSet { recordsVersion &+= 1 } }
    /// Moves on with every change of `records` (a sync that finds a pod as it was changes nothing).
    public private(set) var recordsVersion: UInt64 = 0
    /// When each pod sync now running started, for the `syncloop` health check.
    private var syncsInFlight: [String: ContinuousClock.Instant] = [:]
    /// Every source delivered and orphans were looked for then.
    private var sourcesSeen = false
    /// Pods refused for their UID, name or namespace, as last logged.
    private var refusedIdentities: Set<String> = []
    private var statusListeners: [UUID: AsyncStream<PodRecord>.Continuation] = [:]
    private let recorder: (any PodRuntimeRecorder)?
    /// When each pod's worker started, until the pod first ran (its start latency).
    private var firstSeen: [String: ContinuousClock.Instant] = [:]

    public init(
        syncer: PodSyncer, engine: any DockerEngine, nodeName: String, nodeIP: String?, configuration: Configuration = .init(),
        handlers: (any HandlerRunner)? = nil, probeClock: any ProbeClock = SystemProbeClock(), logger: Logger,
        recorder: (any PodRuntimeRecorder)? = nil, probeRecorder: (any ProbeRecorder)? = nil
    ) {
        let relay = Relay()
        self.recorder = recorder
        self.probes = ProbeManager(
            runner: handlers ?? NetworkHandlerRunner(executor: DockerContainerExecutor(engine: engine)), clock: probeClock,
            logger: logger,
            onChange: { uid in await relay.manager?.wake(uid: uid) },
            onFailure: { event in
                Task { await relay.manager?.probeFailed(event) }
            }, recorder: probeRecorder)
        self.syncer = syncer
        self.engine = engine
        self.nodeName = nodeName
        self.configuration = configuration
        self.statusBuilder = PodStatusBuilder(hostIP: nodeIP)
        self.logger = logger
        relay.manager = self
    }

    /// Lets probe callbacks reach the manager that owns the probes.
    private final class Relay: Sendable {
        private let target = Mutex<PodManager?>(nil)
        var manager: PodManager? {
            get { target.withLock { $0 } }
            set { target.withLock { $0 = newValue } }
        }
    }

    private func probeFailed(_ event: ProbeEvent) async {
        guard let pod = desired[event.podUID] else { return }
        await syncer.record(PodEvent(pod: pod, container: event.containerName, kind: .warning, reason: "Unhealthy", message: event.message))
    }

    // MARK: Desired state

    /// Replaces the desired pods and services with the pods of every source that has delivered.
    ///
    /// Containers of pods that no source names are stopped and removed as orphans, but only
    /// once the source they came from (their ``ContainerLabels/podSource`` label) has
    /// delivered: the static pods of the manifest directory run while the master is away, and
    /// the adopted containers of the master's pods keep running untouched until its first list
    /// says otherwise. Containers without the label wait for every source.
    /// - Parameters:
    ///   - delivered: the sources whose pods `pods` holds (each has delivered at least once).
    ///   - allSourcesDelivered: every configured source is among them.
    public func apply(
        pods: [Pod], services: [KubeAPI.Service], delivered: Set<PodConfigSource> = Set(PodConfigSource.allCases),
        allSourcesDelivered: Bool = true
    ) async {
        self.services = services
        var next: [String: Pod] = [:]
        var refused: Set<String> = []
        for pod in pods {
            // Before the UID, name and namespace become paths and container names.
            let problems = pod.identityErrors()
            if !problems.isEmpty {
                let message = describe(problems, pod: pod)
                refused.insert(message)
                if !refusedIdentities.contains(message) { logger.error("pod refused: \(message)") }
                continue
            }
            guard let uid = pod.metadata.uid else { continue }
            next[uid] = pod
        }
        refusedIdentities = refused
        let changed = next.filter { desired[$0.key] != $0.value }.map(\.key)
        let removed = desired.keys.filter { next[$0] == nil }
        desired = next
        for uid in changed { ensureWorker(uid) }
        for uid in removed { workers[uid]?.wakeup.signal() }
        await stopOrphans(delivered: delivered, allSourcesDelivered: allSourcesDelivered)
    }

    /// Replaces the desired pods and services with the pod configuration's merge (``PodConfig``).
    public func apply(_ desired: PodConfigState.Desired) async {
        await apply(
            pods: desired.pods, services: desired.services, delivered: desired.delivered,
            allSourcesDelivered: desired.allSourcesDelivered)
    }

    /// Stops the containers of pods no source names, once their source has delivered. Runs
    /// with every apply until every source has delivered and the engine answered once then;
    /// after that, pods a source drops are stopped through ``apply`` itself.
    private func stopOrphans(delivered: Set<PodConfigSource>, allSourcesDelivered: Bool) async {
        guard !sourcesSeen else { return }
        let observed: [String: PodConfigSource?]
        do {
            observed = try await syncer.observedPodSources()
        } catch {
            // Retried with the next apply.
            logger.warning("cannot list containers to adopt: \(error)")
            return
        }
        for (uid, source) in observed where !desired.keys.contains(uid) && workers[uid] == nil {
            let settled = source.map { delivered.contains($0) } ?? allSourcesDelivered
            guard settled else { continue }
            logger.info(
                "stopping containers of a pod no source names",
                metadata: ["pod.uid": "\(uid)", "pod.source": "\(source?.rawValue ?? "unknown")"])
            ensureWorker(uid)
        }
        if allSourcesDelivered { sourcesSeen = true }
    }

    /// Syncs a pod soon (a container event or a probe result concerns it).
    public func wake(uid: String) {
        workers[uid]?.wakeup.signal()
    }

    /// The latest record of every pod that has one.
    public func snapshot() -> [PodRecord] { Array(records.values) }

    /// ``snapshot()`` with the ``recordsVersion`` it was taken at.
    public func versionedSnapshot() -> (version: UInt64, records: [PodRecord]) { (recordsVersion, Array(records.values)) }

    /// What keeps the sync loop from being healthy (``SyncLoopHealth``), or nil.
    public func syncLoopProblem() -> String? {
        SyncLoopHealth.problem(
            inFlight: syncsInFlight, now: .now, limit: SyncLoopHealth.limit(resyncInterval: configuration.resyncInterval))
    }

    /// True once the sources delivered and every pod they name was synced at least once: from
    /// then on `snapshot()` describes all of the node's pods (the service proxy waits for this
    /// after a restart, so as not to take running pods for absent ones).
    public var hasRecordedEveryDesiredPod: Bool { sourcesSeen && desired.keys.allSatisfy { records[$0] != nil } }

    /// Records as they change, starting with the current ones.
    public func statusUpdates() -> AsyncStream<PodRecord> {
        let (stream, continuation) = AsyncStream.makeStream(of: PodRecord.self, bufferingPolicy: .bufferingNewest(1024))
        let id = UUID()
        statusListeners[id] = continuation
        for record in records.values { continuation.yield(record) }
        continuation.onTermination = { _ in Task { await self.removeListener(id) } }
        return stream
    }

    private func removeListener(_ id: UUID) { statusListeners[id] = nil }

    // MARK: Service

    /// Watches the engine's container events and wakes the pods they concern, reconnecting with
    /// back-off when the stream breaks. Returns on graceful shutdown.
    public func run() async throws {
        let labels = ["\(ContainerLabels.node)=\(nodeName)"]
        let timingReport = Task { await self.reportProbeTiming() }
        defer { timingReport.cancel() }
        // On shutdown the loop is cancelled, which also ends the event stream.
        await cancelWhenGracefulShutdown {
            // At most 2 s between attempts: deaths during the outage are found by the syncs that
            // follow a reconnect, and kubelet's PLEG relists every second; a longer pause would
            // leave a death after the engine's return unseen for as long.
            var backOff = RetryBackOff(initial: .milliseconds(500), maximum: .seconds(2))
            while !Task.isCancelled {
                do {
                    for try await event in self.engine.containerEvents(labels: labels) {
                        backOff.reset()
                        // Deaths matter; starts, stops and removals are the agent's own doing.
                        guard event.action == "die" || event.action == "oom",
                            let uid = event.actor.attributes[ContainerLabels.podUID]
                        else { continue }
                        // The engine's container list can lag behind its events; what this
                        // container looked like must be read again.
                        await self.syncer.invalidate(containerID: event.actor.id)
                        await self.wake(uid: uid)
                    }
                } catch {
                    if Task.isCancelled { break }
                    self.logger.warning("docker event stream broke, reconnecting: \(error)")
                }
                if Task.isCancelled { break }
                // Events may have been missed while the stream was down.
                await self.wakeAll()
                try? await Task.sleep(for: backOff.next())
            }
        }
        stopWorkers()
    }

    /// Syncs every pod soon (the engine's events may have been missed, or the pod network just
    /// became ready).
    public func wakeAll() {
        for worker in workers.values { worker.wakeup.signal() }
    }

    /// Logs once a minute how late probes ran against their schedule (when any ran).
    private func reportProbeTiming() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(60))
            let stats = await probes.takeTimingStats()
            guard stats.count > 0 else { continue }
            func ms(_ duration: Duration) -> String { String(format: "%.1f", duration.seconds * 1000) }
            logger.info(
                "probe timing over the last minute",
                metadata: [
                    "probe.runs": "\(stats.count)", "probe.lateness.p50.ms": "\(ms(stats.percentile(50)))",
                    "probe.lateness.p99.ms": "\(ms(stats.percentile(99)))", "probe.lateness.max.ms": "\(ms(stats.percentile(100)))",
                ])
        }
    }

    private func stopWorkers() {
        Task { await probes.stopAll() }
        for worker in workers.values { worker.task.cancel(); worker.wakeup.signal() }
        workers.removeAll()
        for listener in statusListeners.values { listener.finish() }
        statusListeners.removeAll()
    }

    // MARK: Workers

    private func ensureWorker(_ uid: String) {
        if let worker = workers[uid] {
            worker.wakeup.signal()
            return
        }
        let wakeup = Wakeup()
        firstSeen[uid] = firstSeen[uid] ?? ContinuousClock.now
        let task = Task { await self.work(uid: uid, wakeup: wakeup) }
        workers[uid] = (wakeup, task)
    }

    private func work(uid: String, wakeup: Wakeup) async {
        while !Task.isCancelled {
            let pod = desiredPod(uid)
            var next = ContinuousClock.now + configuration.resyncInterval
            // Not `pod == nil`, which copies both sides into the frame (see PodSyncer.sync).
            let removed = if case .none = pod { true } else { false }
            let operation: PodWorkerOperation = removed ? .kill : hasRecord(uid) ? .sync : .create
            let started = ContinuousClock.now
            syncsInFlight[uid] = started
            defer { syncsInFlight[uid] = nil }
            do {
                let unhealthy = await probes.unhealthy(podUID: uid)
                let outcome = try await syncer.sync(uid: uid, pod: pod, services: services, unhealthy: unhealthy)
                if let pod = desiredPod(uid) {
                    await record(uid: uid, pod: pod, outcome: outcome)
                    if let at = outcome.nextSync {
                        let wait = Duration(interval: max(0, at.timeIntervalSince(syncer.now())))
                        next = min(next, ContinuousClock.now + wait)
                    }
                } else if removed, outcome.isStopped {
                    await probes.remove(podUID: uid)
                    try await syncer.removeAll(uid: uid)
                    recorder?.podWorkerFinished(operation, duration: ContinuousClock.now - started)
                    if finishWorker(uid) { return }
                    continue
                }
            } catch {
                logger.warning("pod sync failed, retrying", metadata: ["pod.uid": "\(uid)", "error": "\(error)"])
                next = ContinuousClock.now + configuration.retryInterval
            }
            recorder?.podWorkerFinished(operation, duration: ContinuousClock.now - started)
            await wakeup.wait(until: next)
        }
    }

    // The worker's lookups, kept out of `work`: an async function keeps every temporary of
    // what is inlined into it in its frame, which its task holds for the pod's whole life. With
    // the dictionary lookups inlined, `work`'s frame held dozens of `Pod` copies (32 KB).
    @inline(never)
    private func desiredPod(_ uid: String) -> Pod? { desired[uid] }

    @inline(never)
    private func hasRecord(_ uid: String) -> Bool { records.keys.contains(uid) }

    /// The running containers of a pod that declare probes. A pod being deleted is not probed.
    private func probeTargets(pod: Pod, observed: ObservedPod) -> [ProbeTarget] {
        guard pod.metadata.deletionTimestamp == nil else { return [] }
        let podIP = observed.sandboxes.first { $0.isRunning }?.ipAddress
        var targets: [ProbeTarget] = []
        for (index, spec) in pod.spec.containers.enumerated() {
            guard let container = observed.latest(spec.name), container.isRunning,
                let probes = try? ProbeSettings.all(for: spec, index: index), !probes.isEmpty
            else { continue }
            let startedAgo = container.runningFor(now: syncer.now())
            targets.append(
                ProbeTarget(
                    podUID: pod.metadata.uid ?? "", podName: pod.metadata.name ?? "", containerName: spec.name,
                    containerID: container.id, podIP: podIP, startedAgo: startedAgo, probes: probes,
                    podNamespace: pod.metadata.namespace ?? "default"))
        }
        return targets
    }

    /// Ends a worker whose pod is gone and fully removed, unless the pod came back meanwhile.
    private func finishWorker(_ uid: String) -> Bool {
        guard desired[uid] == nil else { return false }
        workers[uid] = nil
        firstSeen[uid] = nil
        if let record = records.removeValue(forKey: uid) {
            logger.info("pod removed", metadata: ["pod.name": "\(record.pod.metadata.name ?? "")", "pod.uid": "\(uid)"])
        }
        reportRunning()
        return true
    }

    private func record(uid: String, pod: Pod, outcome: PodSyncer.Outcome) async {
        let readiness = await probes.sync(podUID: uid, targets: probeTargets(pod: pod, observed: outcome.observed))
        store(uid: uid, pod: pod, outcome: outcome, readiness: readiness)
    }

    /// The part of ``record`` after its last `await`, kept out of it for the same reason as
    /// ``desiredPod(_:)`` (inlined, it made the frame of `record` 32 KB).
    @inline(never)
    private func store(uid: String, pod: Pod, outcome: PodSyncer.Outcome, readiness: [String: Bool]) {
        let previous = records[uid]
        let status = statusBuilder.build(
            pod: pod, observed: outcome.observed, waiting: outcome.waiting, readiness: readiness, previous: previous?.status,
            now: Date())
        let record = PodRecord(pod: pod, status: status, observed: outcome.observed)
        if previous != record { records[uid] = record }
        if status.phase == "Running", let seen = firstSeen.removeValue(forKey: uid) {
            recorder?.podStarted(latency: ContinuousClock.now - seen)
        }
        reportRunning()
        let deletionChanged = previous?.pod.metadata.deletionTimestamp != pod.metadata.deletionTimestamp
        if deletionChanged || previous?.status.phase != status.phase || previous?.status.containerStatuses != status.containerStatuses {
            let summary = (status.containerStatuses ?? []).map { container in
                let state = container.state?.running != nil ? "running" : container.state?.waiting?.reason ?? container.state?.terminated?.reason ?? "?"
                return "\(container.name)=\(state)/\(container.restartCount)"
            }.joined(separator: " ")
            if previous?.status.phase != status.phase || previous?.status.containerStatuses?.map(\.state) != status.containerStatuses?.map(\.state) {
                logger.info(
                    "pod \(status.phase ?? "?"): \(summary)",
                    metadata: ["pod.name": "\(pod.metadata.name ?? "")", "pod.namespace": "\(pod.metadata.namespace ?? "default")", "pod.uid": "\(uid)", "pod.ip": "\(status.podIP ?? "")"])
            }
            for listener in statusListeners.values { listener.yield(record) }
        }
    }

    /// Pods with a running infra container, app containers by state, for kubelet's gauges.
    private func reportRunning() {
        guard let recorder else { return }
        var pods = 0
        var containers: [String: Int] = ["running": 0, "exited": 0, "created": 0]
        for record in records.values {
            if record.observed.sandboxes.contains(where: \.isRunning) { pods += 1 }
            for container in record.observed.containers where !container.isInfra {
                let state =
                    switch container.state {
                    case .running: "running"
                    case .exited: "exited"
                    case .created: "created"
                    }
                containers[state, default: 0] += 1
            }
        }
        recorder.running(pods: pods, containers: containers)
    }
}
