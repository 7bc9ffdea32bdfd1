import Foundation
import KubeAPI

/// Where the master's copy of a pod's status differs from the status the agent wants it to
/// hold: kubelet's status manager `needsReconcile`. Something else may have written the status
/// since the agent did (the node lifecycle controller's MarkPodsNotReady after a partition, or a
/// client's PUT that dropped fields); the agent then writes its status again.
///
/// Only what the agent's status patch can set counts: phase, the conditions it owns (by status,
/// and by reason and message where it gives them), containerStatuses, podIP, podIPs, hostIP and
/// startTime, each only where the agent has a value (a strategic merge patch cannot remove a
/// field, so comparing one the agent leaves out would ask for a write that changes nothing, for
/// ever). Times are compared in whole seconds, as the API server stores them and kubelet
/// normalises them; containerStatuses are compared sorted by name.
public enum PodStatusDifference {
    /// The pod conditions the agent owns (kubelet's PodConditionByKubelet and the shared one).
    public static let ownedConditionTypes: Set<String> = ["PodScheduled", "Initialized", "ContainersReady", "Ready"]

    /// The fields on which the master's copy differs from the wanted status, e.g.
    /// `["conditions[Ready].status", "containerStatuses"]`; empty when nothing needs writing.
    ///
    /// - Parameters:
    ///   - master: The status in the master's copy of the pod (nil when it has none).
    ///   - wanted: The status the agent computed and wants on the master.
    public static func fields(master: PodStatus?, wanted: PodStatus) -> [String] {
        let master = normalized(master ?? PodStatus())
        let wanted = normalized(wanted)
        var differing: [String] = []
        func compare<T: Equatable>(_ name: String, _ keyPath: KeyPath<PodStatus, T?>) {
            if let value = wanted[keyPath: keyPath], master[keyPath: keyPath] != value { differing.append(name) }
        }
        compare("phase", \.phase)
        for condition in wanted.conditions ?? [] {
            guard let type = condition.type, ownedConditionTypes.contains(type) else { continue }
            guard let held = master.conditions?.first(where: { $0.type == type }) else {
                differing.append("conditions[\(type)]")
                continue
            }
            if held.status != condition.status { differing.append("conditions[\(type)].status") }
            if let reason = condition.reason, held.reason != reason { differing.append("conditions[\(type)].reason") }
            if let message = condition.message, held.message != message { differing.append("conditions[\(type)].message") }
        }
        compare("containerStatuses", \.containerStatuses)
        compare("podIP", \.podIP)
        compare("podIPs", \.podIPs)
        compare("hostIP", \.hostIP)
        compare("startTime", \.startTime)
        return differing
    }

    /// Whether the master's copy needs the agent's status written again.
    public static func needsReconcile(master: PodStatus?, wanted: PodStatus) -> Bool {
        !fields(master: master, wanted: wanted).isEmpty
    }

    /// The status with every time truncated to whole seconds and containerStatuses sorted by
    /// name (kubelet's normalizeStatus).
    public static func normalized(_ status: PodStatus) -> PodStatus {
        var status = status
        status.startTime = status.startTime.map(second)
        status.conditions = status.conditions?.map { condition in
            var condition = condition
            condition.lastProbeTime = condition.lastProbeTime.map(second)
            condition.lastTransitionTime = condition.lastTransitionTime.map(second)
            return condition
        }
        status.containerStatuses = status.containerStatuses?
            .map { container in
                var container = container
                container.state = container.state.map(normalized)
                container.lastState = container.lastState.map(normalized)
                return container
            }
            .sorted { $0.name < $1.name }
        return status
    }

    private static func normalized(_ state: ContainerState) -> ContainerState {
        var state = state
        if var running = state.running {
            running.startedAt = running.startedAt.map(second)
            state.running = running
        }
        if var terminated = state.terminated {
            terminated.startedAt = terminated.startedAt.map(second)
            terminated.finishedAt = terminated.finishedAt.map(second)
            state.terminated = terminated
        }
        return state
    }

    /// An RFC 3339 time in whole seconds (the fraction dropped, in UTC); text that is not a time
    /// is kept as it is.
    private static func second(_ text: String) -> String {
        KubeTime.parse(text).map(KubeTime.format) ?? text
    }
}
