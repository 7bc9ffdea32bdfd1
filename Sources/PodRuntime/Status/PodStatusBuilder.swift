import Foundation
import KubeAPI

/// Computes a pod's v1 status from what the engine holds, as kubelet's status manager does:
/// container states (waiting reasons included), restart counts, phase, conditions.
public struct PodStatusBuilder: Sendable {
    public var hostIP: String?

    public init(hostIP: String?) { self.hostIP = hostIP }

    /// - Parameters:
    ///   - waiting: why non-running containers wait, from the last sync.
    ///   - readiness: readiness probe results by container ID; a container without a readiness
    ///     probe is ready while it runs.
    ///   - previous: the last status, whose startTime and transition times carry over.
    public func build(
        pod: Pod, observed: ObservedPod, waiting: [String: PodActions.Waiting], readiness: [String: Bool] = [:],
        previous: PodStatus?, now: Date
    ) -> PodStatus {
        var statuses: [ContainerStatus] = []
        for spec in pod.spec.containers {
            statuses.append(containerStatus(spec: spec, observed: observed, waiting: waiting[spec.name], readiness: readiness))
        }
        let sandbox = observed.sandboxes.first { $0.isRunning }
        let phase = Self.phase(pod: pod, statuses: statuses)
        let allReady = !statuses.isEmpty && statuses.allSatisfy(\.ready)
        let stamp = KubeTime.format(now)

        func condition(_ type: String, _ value: Bool, reason: String? = nil) -> PodCondition {
            let status = value ? "True" : "False"
            let old = previous?.conditions?.first { $0.type == type }
            let transition = old?.status == status ? old?.lastTransitionTime ?? stamp : stamp
            return PodCondition(type: type, status: status, lastTransitionTime: transition, reason: value ? nil : reason)
        }
        let notReadyReason = "ContainersNotReady"
        var status = PodStatus()
        status.phase = phase
        status.conditions = [
            condition("Initialized", true),
            condition("Ready", allReady && phase == "Running", reason: notReadyReason),
            condition("ContainersReady", allReady, reason: notReadyReason),
            condition("PodScheduled", true),
        ]
        status.hostIP = hostIP
        if let ip = sandbox?.ipAddress, !ip.isEmpty {
            status.podIP = ip
            status.podIPs = [PodIP(ip: ip)]
        }
        status.startTime = previous?.startTime ?? observed.sandboxes.last.map { KubeTime.format($0.createdAt) } ?? stamp
        status.containerStatuses = statuses
        status.qosClass = Self.qosClass(pod)
        return status
    }

    private func containerStatus(
        spec: Container, observed: ObservedPod, waiting: PodActions.Waiting?, readiness: [String: Bool]
    ) -> ContainerStatus {
        let instances = observed.instances(of: spec.name)
        var status = ContainerStatus(name: spec.name, ready: false, restartCount: 0, image: spec.image ?? "", imageID: "")
        guard let latest = instances.first else {
            status.state = ContainerState(waiting: ContainerStateWaiting(reason: waiting?.reason ?? "ContainerCreating", message: waiting?.message))
            status.started = false
            return status
        }
        status.restartCount = Int32(clamping: latest.restartCount)
        status.imageID = latest.imageID.isEmpty ? "" : "docker://\(latest.imageID)"
        status.containerID = "docker://\(latest.id)"
        switch latest.state {
        case .running:
            status.state = ContainerState(running: ContainerStateRunning(startedAt: latest.startedAt.map(KubeTime.format)))
            status.started = true
            status.ready = spec.readinessProbe == nil ? true : readiness[latest.id] ?? false
            if let previous = instances.dropFirst().first { status.lastState = ContainerState(terminated: Self.terminated(previous)) }
        case .exited, .created:
            status.started = false
            if let waiting {
                status.state = ContainerState(waiting: ContainerStateWaiting(reason: waiting.reason, message: waiting.message))
                status.lastState = ContainerState(terminated: Self.terminated(latest))
            } else if latest.state == .created {
                status.state = ContainerState(waiting: ContainerStateWaiting(reason: "ContainerCreating"))
            } else {
                status.state = ContainerState(terminated: Self.terminated(latest))
                if let previous = instances.dropFirst().first { status.lastState = ContainerState(terminated: Self.terminated(previous)) }
            }
        }
        return status
    }

    static func terminated(_ container: ObservedContainer) -> ContainerStateTerminated {
        let reason: String =
            if container.oomKilled { "OOMKilled" }
            else if container.error != nil { "ContainerCannotRun" }
            else if container.exitCode == 0 { "Completed" }
            else { "Error" }
        return ContainerStateTerminated(
            exitCode: Int32(clamping: container.exitCode), reason: reason, message: container.error,
            startedAt: container.startedAt.map(KubeTime.format), finishedAt: container.finishedAt.map(KubeTime.format),
            containerID: "docker://\(container.id)")
    }

    /// kubelet's getPhase.
    static func phase(pod: Pod, statuses: [ContainerStatus]) -> String {
        var running = 0, waiting = 0, stopped = 0, succeeded = 0
        for status in statuses {
            if status.state?.running != nil {
                running += 1
            } else if let terminated = status.state?.terminated {
                stopped += 1
                if terminated.exitCode == 0 { succeeded += 1 }
            } else if status.state?.waiting != nil {
                if let last = status.lastState?.terminated {
                    stopped += 1
                    if last.exitCode == 0 { succeeded += 1 }
                } else {
                    waiting += 1
                }
            }
        }
        if waiting > 0 { return "Pending" }
        if running > 0 { return "Running" }
        guard stopped > 0 else { return "Pending" }
        switch pod.spec.restartPolicy ?? .always {
        case .always: return "Running"
        case .onFailure: return stopped == succeeded ? "Succeeded" : "Running"
        default: return stopped == succeeded ? "Succeeded" : "Failed"
        }
    }

    /// Guaranteed when every container's requests equal its limits for cpu and memory,
    /// BestEffort when none sets any, Burstable otherwise.
    static func qosClass(_ pod: Pod) -> String {
        let containers = pod.spec.containers
        let anySet = containers.contains { !($0.resources?.limits ?? [:]).isEmpty || !($0.resources?.requests ?? [:]).isEmpty }
        if !anySet { return "BestEffort" }
        let guaranteed = containers.allSatisfy { container in
            let limits = container.resources?.limits ?? [:]
            let requests = container.resources?.requests ?? limits
            return ["cpu", "memory"].allSatisfy { name in
                guard let limit = limits[name] else { return false }
                return (try? requests[name]?.compare(to: limit)) == .orderedSame
            }
        }
        return guaranteed ? "Guaranteed" : "Burstable"
    }
}
