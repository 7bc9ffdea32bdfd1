import Foundation
import KubeAPI

/// Decides a pod's ``PodActions``, as kubelet's computePodActions does: a pure function of the
/// desired pod, what the engine holds, the back-off table and the time.
public struct PodActionPlanner: Sendable {
    /// The network infra containers must be on; one on another network is recreated. Nil
    /// while the pod network is not set up yet: no sandbox is judged by its network then.
    public var network: SandboxNetwork?

    public init(network: SandboxNetwork? = .defaultBridge) {
        self.network = network
    }

    /// - Parameters:
    ///   - pod: the desired pod, defaults applied; nil when the pod is gone and must stop.
    ///   - observed: the pod's containers in the engine.
    ///   - backOff: crash-loop back-off per container.
    ///   - now: the time of the decision.
    ///   - unhealthy: IDs of running containers whose liveness failed (they restart).
    public func plan(
        pod: Pod?, observed: ObservedPod, backOff: BackOff, now: Date, unhealthy: Set<String> = []
    ) -> PodActions {
        var actions = PodActions()
        actions.containersToRemove = deadContainersToRemove(observed)

        guard let pod, pod.metadata.deletionTimestamp == nil else {
            if !observed.running.isEmpty {
                actions.killPod = true
                actions.killPodReason = "pod is being deleted"
            }
            return actions
        }

        let specs = pod.spec.containers
        let restartPolicy = pod.spec.restartPolicy ?? .always
        let sandboxes = observed.sandboxes
        let readySandbox = sandboxes.first { $0.isRunning && !($0.ipAddress ?? "").isEmpty && isOnPodNetwork($0, pod: pod) }
        let extraRunningSandbox = sandboxes.contains { $0.isRunning && $0.id != readySandbox?.id }

        if readySandbox == nil || extraRunningSandbox {
            let everyContainerRan = specs.allSatisfy { observed.latest($0.name) != nil }
            if restartPolicy == .never, !sandboxes.isEmpty, everyContainerRan {
                // A Never pod whose infra container died has nothing left to run.
                if !observed.running.isEmpty {
                    actions.killPod = true
                    actions.killPodReason = "infra container is gone and the pod does not restart"
                }
                return actions
            }
            actions.killPod = !observed.running.isEmpty
            actions.killPodReason = sandboxes.isEmpty ? "" : sandboxChangeReason(sandboxes, pod: pod)
            actions.createSandbox = true
            actions.sandboxAttempt = (sandboxes.map(\.restartCount).max() ?? -1) + 1
            for (index, spec) in specs.enumerated() {
                let latest = observed.latest(spec.name)
                if let latest, !latest.isRunning, !Self.shouldRestart(latest, policy: restartPolicy) { continue }
                schedule(index: index, spec: spec, pod: pod, observed: observed, backOff: backOff, now: now, into: &actions)
            }
            return actions
        }

        actions.sandboxID = readySandbox?.id
        let specNames = Set(specs.map(\.name))
        for (index, spec) in specs.enumerated() {
            guard let latest = observed.latest(spec.name) else {
                schedule(index: index, spec: spec, pod: pod, observed: observed, backOff: backOff, now: now, into: &actions)
                continue
            }
            if latest.isRunning {
                if latest.specHash != ContainerHash.of(spec) {
                    actions.containersToKill.append(.init(containerID: latest.id, name: spec.name, reason: "Container spec changed"))
                    schedule(index: index, spec: spec, pod: pod, observed: observed, backOff: backOff, now: now, into: &actions)
                } else if unhealthy.contains(latest.id) {
                    // As kubelet, the kill and the restart happen in the same sync; the restart
                    // backs off against the previous death of this container, if any.
                    actions.containersToKill.append(.init(containerID: latest.id, name: spec.name, reason: "Container failed liveness probe"))
                    if restartPolicy != .never {
                        schedule(index: index, spec: spec, pod: pod, observed: observed, backOff: backOff, now: now, into: &actions)
                    }
                }
                continue
            }
            if Self.shouldRestart(latest, policy: restartPolicy) {
                schedule(index: index, spec: spec, pod: pod, observed: observed, backOff: backOff, now: now, into: &actions)
            }
        }
        // Running containers the spec no longer names.
        for container in observed.containers where !container.isInfra && container.isRunning && !specNames.contains(container.name) {
            actions.containersToKill.append(.init(containerID: container.id, name: container.name, reason: "Container is no longer in the pod spec"))
        }
        return actions
    }

    /// A `hostNetwork` pod's infra container is on the node's network; any other pod's on the
    /// pod network (and a change of `hostNetwork` recreates the pod, as kubelet does).
    private func isOnPodNetwork(_ sandbox: ObservedContainer, pod: Pod) -> Bool {
        if pod.spec.hostNetwork == true { return sandbox.network.isHost }
        return !sandbox.network.isHost && (network.map { sandbox.network == $0 } ?? true)
    }

    private func sandboxChangeReason(_ sandboxes: [ObservedContainer], pod: Pod) -> String {
        if pod.spec.hostNetwork == true || sandboxes.contains(where: { $0.network.isHost }) {
            return "infra container changed, recreating the pod"
        }
        if let network, let moved = sandboxes.first(where: { $0.isRunning && !isOnPodNetwork($0, pod: pod) }) {
            return "infra container is on network \(moved.network), pods now join \(network): recreating the pod"
        }
        return "infra container changed, recreating the pod"
    }

    /// Whether an exited container restarts under the pod's restartPolicy.
    public static func shouldRestart(_ container: ObservedContainer, policy: KubeAPI.RestartPolicy) -> Bool {
        switch container.state {
        case .running: false
        case .created: true
        case .exited:
            switch policy {
            case .never: false
            case .onFailure: container.exitCode != 0
            default: true
            }
        }
    }

    /// The crash-loop back-off key of a pod's container, as kubelet's getStableKey: a changed
    /// spec (hash) starts with a fresh back-off. Every key of a pod starts with `<uid>/`.
    public static func backOffKey(podUID: String, container: Container) -> String {
        "\(podUID)/\(container.name)/\(ContainerHash.of(container))"
    }

    /// Starts `spec` unless its crash-loop back-off forbids it: kubelet's doBackOff. The
    /// reference is the FinishedAt of the newest exited instance of the container, as observed
    /// before this sync kills anything; without one the start is immediate and steps nothing.
    /// Otherwise, while less than the current back-off has passed since then, the container
    /// waits in CrashLoopBackOff and the pod wants a sync when the wait ends; else it starts and
    /// the executor steps the back-off (``BackOff/next(_:eventTime:now:)``) as it does.
    private func schedule(
        index: Int, spec: Container, pod: Pod, observed: ObservedPod, backOff: BackOff, now: Date, into actions: inout PodActions
    ) {
        let instances = observed.instances(of: spec.name)
        let restartCount = instances.first.map { $0.restartCount + 1 } ?? 0
        guard let lastExit = instances.first(where: { $0.state == .exited }) else {
            actions.containersToStart.append(.init(index: index, name: spec.name, restartCount: restartCount))
            return
        }
        let key = Self.backOffKey(podUID: pod.metadata.uid ?? "", container: spec)
        let failedAt = lastExit.stoppedAt
        if backOff.isInBackOff(key, since: failedAt, now: now) {
            let wait = backOff.entry(key)?.duration ?? .zero
            let podName = "\(pod.metadata.namespace ?? "default")/\(pod.metadata.name ?? "")"
            actions.waiting[spec.name] = .init(
                reason: "CrashLoopBackOff",
                message: "back-off \(Int(wait.seconds))s restarting failed container=\(spec.name) pod=\(podName)")
            if let retry = backOff.retryTime(key, since: failedAt) {
                actions.nextSync = min(actions.nextSync ?? retry, retry)
            }
            return
        }
        actions.containersToStart.append(
            .init(index: index, name: spec.name, restartCount: restartCount, backOffKey: key, failedAt: failedAt))
    }

    /// Dead containers beyond the newest dead one per name (kubelet's garbage collection with
    /// one dead instance kept per container, beside the running one: it carries the last
    /// termination state and the time the crash-loop back-off counts from), and dead infra
    /// containers once a newer one exists.
    private func deadContainersToRemove(_ observed: ObservedPod) -> [String] {
        var seen = Set<String>()
        var remove: [String] = []
        for container in observed.containers {  // newest first
            // App containers keep their newest dead instance; infra containers keep none once a
            // newer one exists.
            guard container.isInfra || !container.isRunning else { continue }
            let key = container.isInfra ? "\u{0}infra" : container.name
            if !seen.insert(key).inserted, !container.isRunning { remove.append(container.id) }
        }
        return remove
    }
}
