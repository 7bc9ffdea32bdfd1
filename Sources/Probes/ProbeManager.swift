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

    /// The workers of one pod and their published results.
    private struct PodProbes {
        var workers: [WorkerKey: Task<Void, Never>] = [:]
        var results: [WorkerKey: Bool] = [:]
    }

    /// By pod UID: a pod's resync, its readiness and its failed containers look at its own
    /// workers only (each pod worker asks every resync; 100 pods asking of all workers was
    /// quadratic work on the probe thread).
    private var pods: [String: PodProbes] = [:]
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
        var pod = pods[podUID] ?? PodProbes()
        for (key, task) in pod.workers where wanted[key] == nil {
            task.cancel()
            pod.workers[key] = nil
            pod.results[key] = nil
        }
        for (key, (target, probe)) in wanted where pod.workers[key] == nil {
            // Preferring the reactor keeps the worker's resumed waits off the global pool.
            pod.workers[key] = Task(executorPreference: executor) { await self.work(target: target, probe: probe, key: key, podUID: podUID) }
        }
        pods[podUID] = pod.workers.isEmpty ? nil : pod
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
        for task in pods.values.lazy.flatMap(\.workers.values) { task.cancel() }
        pods.removeAll()
    }

    /// Running containers of the pod whose liveness (or startup) probe failed: to be restarted.
    public func unhealthy(podUID: String) -> Set<String> {
        Set((pods[podUID]?.results ?? [:]).filter { key, value in !value && key.kind != .readiness }.map(\.key.containerID))
    }

    /// Readiness by container ID; a container whose startup probe has not succeeded is not ready.
    public func readiness(podUID: String) -> [String: Bool] {
        guard let pod = pods[podUID] else { return [:] }
        var ready: [String: Bool] = [:]
        for (key, value) in pod.results where key.kind == .readiness {
            ready[key.containerID] = value && isStarted(key.containerID, in: pod)
        }
        for key in pod.workers.keys where key.kind == .readiness && pod.results[key] == nil {
            ready[key.containerID] = false
        }
        return ready
    }

    /// Lateness of probe runs against their schedule since the last call, then reset.
    public func takeTimingStats() -> ProbeTimingStats {
        defer { timing.reset() }
        return timing
    }

    private func isStarted(_ containerID: String, in pod: PodProbes?) -> Bool {
        let key = WorkerKey(containerID: containerID, kind: .startup)
        return pod?.workers[key] == nil && pod?.results[key] == nil || pod?.results[key] == true
    }

    // MARK: Workers

    private func work(target: ProbeTarget, probe: ProbeSettings, key: WorkerKey, podUID: String) async {
        var state = ProbeState(kind: probe.kind, successThreshold: probe.successThreshold, failureThreshold: probe.failureThreshold)
        let initialDelay = probe.initialDelay - target.startedAgo
        var next = clock.now + max(.zero, initialDelay)
        while !Task.isCancelled {
            do { try await clock.sleep(until: next) } catch { return }
            if Task.isCancelled { return }
            let lateness = clock.now - next
            if !(await probeOnce(target: target, probe: probe, key: key, podUID: podUID, state: &state, lateness: lateness)) { return }
            next += probe.period
            // A run that overshot its period skips ahead rather than firing in a burst.
            if next < clock.now { next = clock.now + probe.period }
        }
    }

    /// One probe run: returns false when the worker should stop (a startup probe succeeded,
    /// or the container failed liveness and will be restarted).
    /// `podUID`: the pod the worker was started for (its target's, in the agent).
    private func probeOnce(
        target: ProbeTarget, probe: ProbeSettings, key: WorkerKey, podUID: String, state: inout ProbeState, lateness: Duration
    ) async -> Bool {
        if probe.kind != .startup, !isStarted(target.containerID, in: pods[podUID]) { return true }
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
        pods[podUID]?.results[key] = changed
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
