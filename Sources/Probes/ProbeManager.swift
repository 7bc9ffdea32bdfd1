import Logging

/// Runs the probes of every running container, as kubelet's prober manager: one worker per
/// (container, probe kind) whose single step is ``probeOnce``; results are kept per container
/// and only changes are published. Startup probes gate the other two: until a container's
/// startup probe has succeeded, it is neither probed for liveness (and counts as alive) nor for
/// readiness (and counts as not ready).
///
/// The actor runs on the probe reactor, and its workers with it: with the real clock and
/// runner, whose waits run on the caller's executor, a probe run is timed, connects, reads and
/// records on that one thread, and only a changed result or a failure's event leaves it.
public actor ProbeManager {
    private struct WorkerKey: Hashable {
        var containerID: String
        var kind: ProbeKind
    }

    private let runner: any HandlerRunner
    private let clock: any ProbeClock
    private let logger: Logger
    private let onChange: @Sendable (_ podUID: String) async -> Void
    private let onFailure: @Sendable (ProbeEvent) -> Void
    private let recorder: (any ProbeRecorder)?

    private var workers: [WorkerKey: Task<Void, Never>] = [:]
    private var results: [WorkerKey: Bool] = [:]
    private var podOfContainer: [String: String] = [:]
    private var timing = ProbeTimingStats()
    private nonisolated let executor: ProbeReactor

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// - Parameters:
    ///   - onChange: a published result of the pod changed (sync it).
    ///   - onFailure: a probe run failed (kubelet posts `Unhealthy` for each).
    ///   - recorder: told of every probe run (kubelet's prober metrics).
    ///   - reactor: where the actor and its workers run.
    public init(
        runner: any HandlerRunner, clock: any ProbeClock = SystemProbeClock(), logger: Logger,
        onChange: @escaping @Sendable (String) async -> Void, onFailure: @escaping @Sendable (ProbeEvent) -> Void,
        recorder: (any ProbeRecorder)? = nil, reactor: ProbeReactor = .shared
    ) {
        self.executor = reactor
        self.recorder = recorder
        self.runner = runner
        self.clock = clock
        self.logger = logger
        self.onChange = onChange
        self.onFailure = onFailure
    }

    /// Makes the pod's workers match its running containers: new containers get workers, gone
    /// ones lose theirs (and their results).
    /// - Returns: the pod's ``readiness(podUID:)`` after it, so a pod worker needs one hop to
    ///   the probe thread for both.
    @discardableResult
    public func sync(podUID: String, targets: [ProbeTarget]) -> [String: Bool] {
        var wanted: [WorkerKey: (ProbeTarget, ProbeSettings)] = [:]
        for target in targets {
            for probe in target.probes { wanted[WorkerKey(containerID: target.containerID, kind: probe.kind)] = (target, probe) }
        }
        for (key, task) in workers where podOfContainer[key.containerID] == podUID && wanted[key] == nil {
            task.cancel()
            workers[key] = nil
            results[key] = nil
        }
        for (key, (target, probe)) in wanted where workers[key] == nil {
            podOfContainer[key.containerID] = podUID
            // Preferring the reactor keeps the worker's resumed waits off the global pool.
            workers[key] = Task(executorPreference: executor) { await self.work(target: target, probe: probe, key: key) }
        }
        // Once per call, not once per container: a resync calls this for every pod, on the thread
        // that times the probes.
        let probed = Set(workers.keys.lazy.map(\.containerID))
        podOfContainer = podOfContainer.filter { probed.contains($0.key) }
        return readiness(podUID: podUID)
    }

    /// Stops every worker of a pod.
    /// Its cancelled workers record nothing more (`probeOnce` checks), so the recorder's
    /// forgetting is final.
    public func remove(podUID: String) {
        sync(podUID: podUID, targets: [])
        recorder?.forget(podUID: podUID)
    }

    /// Stops every worker (agent shutdown).
    public func stopAll() {
        for task in workers.values { task.cancel() }
        workers.removeAll()
    }

    /// Running containers of the pod whose liveness (or startup) probe failed: to be restarted.
    public func unhealthy(podUID: String) -> Set<String> {
        Set(results.filter { key, value in !value && key.kind != .readiness && podOfContainer[key.containerID] == podUID }.map(\.key.containerID))
    }

    /// Readiness by container ID; a container whose startup probe has not succeeded is not ready.
    public func readiness(podUID: String) -> [String: Bool] {
        var ready: [String: Bool] = [:]
        for (key, value) in results where key.kind == .readiness && podOfContainer[key.containerID] == podUID {
            ready[key.containerID] = value && isStarted(key.containerID)
        }
        for key in workers.keys where key.kind == .readiness && podOfContainer[key.containerID] == podUID && results[key] == nil {
            ready[key.containerID] = false
        }
        return ready
    }

    /// Lateness of probe runs against their schedule since the last call, then reset.
    public func takeTimingStats() -> ProbeTimingStats {
        defer { timing.reset() }
        return timing
    }

    private func isStarted(_ containerID: String) -> Bool {
        let key = WorkerKey(containerID: containerID, kind: .startup)
        return workers[key] == nil && results[key] == nil || results[key] == true
    }

    // MARK: Workers

    private func work(target: ProbeTarget, probe: ProbeSettings, key: WorkerKey) async {
        var state = ProbeState(kind: probe.kind, successThreshold: probe.successThreshold, failureThreshold: probe.failureThreshold)
        let initialDelay = probe.initialDelay - target.startedAgo
        var next = clock.now + max(.zero, initialDelay)
        while !Task.isCancelled {
            do { try await clock.sleep(until: next) } catch { return }
            if Task.isCancelled { return }
            let lateness = clock.now - next
            if !(await probeOnce(target: target, probe: probe, key: key, state: &state, lateness: lateness)) { return }
            next += probe.period
            // A run that overshot its period skips ahead rather than firing in a burst.
            if next < clock.now { next = clock.now + probe.period }
        }
    }

    /// One probe run: returns false when the worker should stop (a startup probe succeeded,
    /// or the container failed liveness and will be restarted).
    private func probeOnce(target: ProbeTarget, probe: ProbeSettings, key: WorkerKey, state: inout ProbeState, lateness: Duration) async -> Bool {
        if probe.kind != .startup, !isStarted(target.containerID) { return true }
        timing.add(lateness)
        let started = clock.now
        let outcome = await runner.run(probe.handler, podIP: target.podIP, containerID: target.containerID, timeout: probe.timeout)
        if Task.isCancelled { return false }
        recorder?.record(
            ProbeRun(
                kind: probe.kind, succeeded: outcome.isSuccess, podUID: target.podUID, podName: target.podName,
                podNamespace: target.podNamespace, containerName: target.containerName, duration: clock.now - started))
        if !outcome.isSuccess {
            onFailure(ProbeEvent(
                podUID: target.podUID, containerName: target.containerName, containerID: target.containerID, kind: probe.kind,
                message: "\(probe.kind.rawValue.capitalized) probe failed: \(outcome.message)"))
        }
        guard let changed = state.record(success: outcome.isSuccess) else { return true }
        results[key] = changed
        logger.info(
            "\(probe.kind.rawValue) probe \(changed ? "succeeded" : "failed")",
            metadata: ["pod.name": "\(target.podName)", "pod.uid": "\(target.podUID)", "container.name": "\(target.containerName)", "probe.output": "\(outcome.message.prefix(200))"])
        await onChange(target.podUID)
        // A started container needs no more startup probes; a container that failed liveness is
        // about to be replaced, and its new instance gets a new worker.
        if probe.kind == .startup && changed { return false }
        if probe.kind != .readiness && !changed { return false }
        return true
    }
}
