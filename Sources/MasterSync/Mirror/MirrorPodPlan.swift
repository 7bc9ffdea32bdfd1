import KubeAPI

/// One step towards every static pod having its current mirror pod on the master.
public enum MirrorPodAction: Sendable, Equatable {
    /// POST the mirror pod.
    case create(Pod)
    /// DELETE with `gracePeriodSeconds: 0` and the UID as precondition.
    case delete(namespace: String, name: String, uid: String, reason: Reason)

    public enum Reason: String, Sendable, Equatable {
        /// Someone deleted it (it carries a deletionTimestamp): it is removed and made again.
        case deleted = "mirror pod is being deleted"
        /// The manifest changed: its config.mirror is not the static pod's hash any more.
        case outdated = "mirror pod is outdated"
        /// No static pod of that name exists any more (housekeeping).
        case orphaned = "no static pod for the mirror pod"
    }
}

/// kubelet's mirror pod handling as a pure plan: SyncPod's check of each static pod's mirror,
/// and HandlePodCleanups' removal of orphaned mirror pods.
public enum MirrorPodPlanner {
    /// - Parameters:
    ///   - staticPods: The node's static pods.
    ///   - mirrorPods: The mirror pods the master holds for this node (pods with config.mirror).
    ///   - nodeUID: The UID of the Node object; nil while it cannot be read or is being deleted,
    ///     when no mirror pod is created (deletions still happen).
    public static func plan(staticPods: [Pod], mirrorPods: [Pod], nodeName: String, nodeUID: String?) -> [MirrorPodAction] {
        var mirrors: [String: Pod] = [:]
        for mirror in mirrorPods { mirrors[key(mirror)] = mirror }
        var actions: [MirrorPodAction] = []
        var wanted: Set<String> = []
        for staticPod in staticPods.sorted(by: { key($0) < key($1) }) {
            let name = key(staticPod)
            wanted.insert(name)
            let hash = MirrorPod.hash(of: staticPod)
            if let mirror = mirrors[name] {
                let reason: MirrorPodAction.Reason? =
                    if mirror.metadata.deletionTimestamp != nil { .deleted }
                    else if mirror.metadata.annotations?[MirrorPod.annotation] != hash { .outdated }
                    else { nil }
                guard let reason else { continue }
                actions.append(delete(mirror, reason))
            }
            if let nodeUID {
                actions.append(.create(MirrorPod.make(for: staticPod, nodeName: nodeName, nodeUID: nodeUID)))
            }
        }
        for (name, mirror) in mirrors.sorted(by: { $0.key < $1.key }) where !wanted.contains(name) {
            actions.append(delete(mirror, .orphaned))
        }
        return actions
    }

    private static func delete(_ mirror: Pod, _ reason: MirrorPodAction.Reason) -> MirrorPodAction {
        .delete(
            namespace: mirror.metadata.namespace ?? "default", name: mirror.metadata.name ?? "", uid: mirror.metadata.uid ?? "",
            reason: reason)
    }

    static func key(_ pod: Pod) -> String {
        "\(pod.metadata.namespace ?? "default")/\(pod.metadata.name ?? "")"
    }
}
