import KubeAPI
import Probes

/// A container's postStart and preStop hooks, as kubelet's handler runner: the handler resolved
/// against the container (a named port, the pod IP), run within its time, and a warning event
/// naming the hook when it fails. What a failure means for the container (stopped and
/// restarted, or stopped anyway) is the syncer's.
struct LifecycleHooks: Sendable {
    let handlers: any HandlerRunner
    let events: any EventRecorder

    /// Runs the postStart hook of `pod.spec.containers[index]`.
    /// - Returns: nil when it succeeded, else the failure's message (its event is recorded).
    func postStart(
        _ hook: LifecycleHandler, index: Int, pod: Pod, containerID: String, podIP: String?, timeout: Duration
    ) async -> String? {
        let spec = pod.spec.containers[index]
        let outcome = await run(hook, field: "spec.containers[\(index)].lifecycle.postStart", spec: spec, containerID: containerID, podIP: podIP, timeout: timeout)
        if outcome.isSuccess { return nil }
        let message = "PostStartHook failed: \(outcome.message)"
        events.record(PodEvent(pod: pod, container: spec.name, kind: .warning, reason: "FailedPostStartHook", message: message))
        return message
    }

    /// Runs the preStop hook of `pod.spec.containers[index]`, before the stop signal and within
    /// the grace period `timeout`; a failure is an event, and the container is stopped anyway.
    func preStop(_ hook: LifecycleHandler, index: Int, pod: Pod, containerID: String, podIP: String?, timeout: Duration) async {
        let spec = pod.spec.containers[index]
        let outcome = await run(hook, field: "spec.containers[\(index)].lifecycle.preStop", spec: spec, containerID: containerID, podIP: podIP, timeout: timeout)
        if !outcome.isSuccess {
            events.record(PodEvent(pod: pod, container: spec.name, kind: .warning, reason: "FailedPreStopHook", message: "PreStopHook failed: \(outcome.message)"))
        }
    }

    private func run(
        _ hook: LifecycleHandler, field: String, spec: Container, containerID: String, podIP: String?, timeout: Duration
    ) async -> ProbeOutcome {
        do {
            let handler = try Handler.resolve(hook, container: spec, field: field)
            return await handlers.run(handler, podIP: podIP, containerID: containerID, timeout: timeout)
        } catch {
            return .failure("\(error)")
        }
    }
}
