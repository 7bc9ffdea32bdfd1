import AgentTime
import Foundation
import KubeAPI
import Synchronization

/// How the node lifecycle controller is tuned (kube-controller-manager's flags).
public struct NodeLifecycleSettings: Sendable, Equatable {
    /// Whether the controller runs at all.
    public var enabled: Bool
    /// How often nodes are checked (`--node-monitor-period`, 5 s).
    public var monitorPeriod: Duration
    /// How long a node may go without a heartbeat before it is Unknown
    /// (`--node-monitor-grace-period`: 40 s, 50 s since 1.32).
    public var gracePeriod: Duration
    /// The same for a node that never posted its Ready condition (`--node-startup-grace-period`, 60 s).
    public var startupGracePeriod: Duration
    /// The real controller sets only the pods' Ready condition to False; this also sets
    /// ContainersReady, as some descriptions of it say, for tests that want both repaired.
    public var marksContainersNotReady: Bool

    public init(
        enabled: Bool = true, monitorPeriod: Duration = .seconds(5), gracePeriod: Duration = .seconds(40),
        startupGracePeriod: Duration = .seconds(60), marksContainersNotReady: Bool = false
    ) {
        self.enabled = enabled
        self.monitorPeriod = monitorPeriod
        self.gracePeriod = gracePeriod
        self.startupGracePeriod = startupGracePeriod
        self.marksContainersNotReady = marksContainersNotReady
    }
}

/// kube-controller-manager's node lifecycle controller, its health part
/// (pkg/controller/nodelifecycle `monitorNodeHealth`, pkg/controller/util/node `MarkPodsNotReady`):
/// every `monitorPeriod`, a node whose health was last probed longer ago than the grace period
/// gets Ready, MemoryPressure, DiskPressure
/// and PIDPressure set to Unknown (reason NodeStatusUnknown, "Kubelet stopped posting node
/// status."; a condition never posted: NodeStatusNeverUpdated, "Kubelet never posted node
/// status."), `lastHeartbeatTime` kept and `lastTransitionTime` now, by a PUT of the node's
/// status; a Normal event NodeNotReady on the node. When that takes Ready away from True, every
/// pod bound to the node gets its Ready condition False (lastTransitionTime now, reason and
/// message kept) by a PUT of its status, and a Warning event NodeNotReady "Node is not ready".
///
/// As in `tryUpdateNodeHealth`, the node's own timestamps are never compared with the
/// controller's clock: a node is probed, by the controller's clock, when it is first seen, when
/// its Ready condition's `lastHeartbeatTime` differs from the one seen before (in either
/// direction), and when its Lease's `renewTime` moves forward (a renewTime that goes back, as
/// after the node's clock stepped back, is not a renewal). So a node whose clock is an hour off
/// stays Ready as long as it keeps posting.
///
/// Where it differs from the real controller:
/// - No taints (`node.kubernetes.io/unreachable`, `not-ready`) and so no eviction after the
///   pods' 300 s toleration; no zone states or eviction rate limits.
/// - Only the transition marks pods: a pod added to (or bound to) a node already not Ready is
///   not marked, where the real controller's `processPod` marks it (it does not react to status
///   updates either, so a node agent's rewrite of Ready is not fought by either); a failed
///   pod write is not retried on later checks.
final class NodeLifecycleController: Sendable {
    private let lastMonitor = Mutex<Date?>(nil)
    /// What the controller saw of each node (`nodeHealthData`).
    private let health = Mutex<[String: NodeHealth]>([:])

    private struct NodeHealth {
        var heartbeat: String?
        var renewTime: Date?
        /// When the controller last saw the node alive, by its own clock.
        var probed: Date
    }

    static let nodeConditionTypes = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"]
    static let leaseNamespace = "kube-node-lease"

    /// Checks the nodes when `monitorPeriod` has passed since the last check.
    func monitorIfDue(_ state: inout StoreState, registry: Registry, settings: NodeLifecycleSettings) {
        guard settings.enabled else { return }
        let now = registry.clock()
        let due = lastMonitor.withLock { last -> Bool in
            if let last, now.timeIntervalSince(last) < settings.monitorPeriod.seconds { return false }
            last = now
            return true
        }
        if due { monitor(&state, registry: registry, settings: settings, now: now) }
    }

    /// One check of every node.
    func monitor(_ state: inout StoreState, registry: Registry, settings: NodeLifecycleSettings, now: Date) {
        let nodes = state.list(.nodes)
        let names = Set(nodes.compactMap(\.name))
        health.withLock { $0 = $0.filter { names.contains($0.key) } }
        for node in nodes {
            guard let name = node.name else { continue }
            let conditions = node[path: ["status", "conditions"]]?.arrayValue ?? []
            let ready = conditions.first { $0["type"]?.stringValue == "Ready" }
            let created = node[path: ["metadata", "creationTimestamp"]]?.stringValue
            let heartbeat = ready?["lastHeartbeatTime"]?.stringValue
            let renewed = state.get(.leases, ObjectKey(namespace: Self.leaseNamespace, name: name))?[path: ["spec", "renewTime"]]?
                .stringValue.flatMap(KubeTime.parse)
            let probed = health.withLock { health -> Date in
                var seen = health[name] ?? NodeHealth(heartbeat: heartbeat, renewTime: nil, probed: now)
                if seen.heartbeat != heartbeat {
                    seen.heartbeat = heartbeat
                    seen.probed = now
                }
                if let renewed, seen.renewTime.map({ $0 < renewed }) ?? true {
                    seen.renewTime = renewed
                    seen.probed = now
                }
                health[name] = seen
                return seen.probed
            }
            let grace = ready == nil ? settings.startupGracePeriod : settings.gracePeriod
            guard now.timeIntervalSince(probed) > grace.seconds else { continue }

            let stamp = KubeTime.format(now)
            var updated = conditions
            for type in Self.nodeConditionTypes {
                if let index = updated.firstIndex(where: { $0["type"]?.stringValue == type }) {
                    guard updated[index]["status"]?.stringValue != "Unknown" else { continue }
                    updated[index]["status"] = "Unknown"
                    updated[index]["reason"] = "NodeStatusUnknown"
                    updated[index]["message"] = "Kubelet stopped posting node status."
                    updated[index]["lastTransitionTime"] = .string(stamp)
                } else {
                    updated.append([
                        "type": .string(type), "status": "Unknown", "reason": "NodeStatusNeverUpdated",
                        "message": "Kubelet never posted node status.",
                        "lastHeartbeatTime": created.map(JSONValue.string) ?? .null, "lastTransitionTime": .string(stamp),
                    ])
                }
            }
            guard updated != conditions else { continue }
            var changed = node
            changed[path: ["status", "conditions"]] = .array(updated)
            guard (try? registry.update(.nodes, namespace: "", name: name, body: changed, status: true, in: &state)) != nil
            else { continue }
            guard ready?["status"]?.stringValue == "True" else { continue }
            Self.recordEvent(
                on: node, type: "Normal", reason: "NodeNotReady", message: "Node \(name) status is now: NodeNotReady",
                registry: registry, now: now, in: &state)
            markPodsNotReady(on: name, registry: registry, settings: settings, now: now, in: &state)
        }
    }

    /// `MarkPodsNotReady`: Ready False on every pod bound to the node, by a PUT of its status.
    private func markPodsNotReady(
        on node: String, registry: Registry, settings: NodeLifecycleSettings, now: Date, in state: inout StoreState
    ) {
        let stamp = KubeTime.format(now)
        var types: Set<String> = ["Ready"]
        if settings.marksContainersNotReady { types.insert("ContainersReady") }
        for pod in state.list(.pods) where pod[path: ["spec", "nodeName"]]?.stringValue == node {
            var conditions = pod[path: ["status", "conditions"]]?.arrayValue ?? []
            guard conditions.contains(where: { $0["type"]?.stringValue == "Ready" }) else { continue }
            var changed = false
            for index in conditions.indices {
                guard let type = conditions[index]["type"]?.stringValue, types.contains(type),
                    conditions[index]["status"]?.stringValue != "False"
                else { continue }
                conditions[index]["status"] = "False"
                conditions[index]["lastTransitionTime"] = .string(stamp)
                changed = true
            }
            guard changed else { continue }
            var updated = pod
            updated[path: ["status", "conditions"]] = .array(conditions)
            guard
                (try? registry.update(
                    .pods, namespace: pod.namespace ?? "default", name: pod.name ?? "", body: updated, status: true, in: &state))
                    != nil
            else { continue }
            Self.recordEvent(
                on: pod, type: "Warning", reason: "NodeNotReady", message: "Node is not ready", registry: registry, now: now,
                in: &state)
        }
    }

    /// An event from the node controller about an object, named as client-go's recorder names
    /// them (`<object>.<hex nanoseconds>`).
    private static func recordEvent(
        on object: JSONValue, type: String, reason: String, message: String, registry: Registry, now: Date,
        in state: inout StoreState
    ) {
        let isNode = object["kind"]?.stringValue == "Node"
        let namespace = isNode ? "default" : object.namespace ?? "default"
        let name = object.name ?? ""
        let stamp = KubeTime.format(now)
        let nanoseconds = UInt64(max(0, now.timeIntervalSince1970 * 1e9))
        var reference: JSONValue = [
            "kind": .string(isNode ? "Node" : "Pod"), "name": .string(name), "apiVersion": "v1",
            // The recorder names a node by its name, as kubelet's events do.
            "uid": .string(isNode ? name : object.uid ?? ""),
        ]
        if !isNode {
            reference["namespace"] = .string(namespace)
            reference["resourceVersion"] = object[path: ["metadata", "resourceVersion"]] ?? .null
        }
        let event: JSONValue = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string("\(name).\(String(nanoseconds, radix: 16))"), "namespace": .string(namespace)],
            "involvedObject": reference, "reason": .string(reason), "message": .string(message), "type": .string(type),
            "source": ["component": "node-controller"], "reportingComponent": "node-controller",
            "firstTimestamp": .string(stamp), "lastTimestamp": .string(stamp), "count": 1,
        ]
        _ = try? registry.create(.events, namespace: namespace, body: event, in: &state)
    }
}
