import Foundation
import KubeAPI

/// The parts of a master's control plane the tests need, each one pass over the store:
/// the scheduler, the replication manager, the endpoints controller and the node lifecycle
/// controller. They write through the registry like any client, so watches see their changes.
struct Controllers: Sendable {
    var registry: Registry
    let nodeLifecycle = NodeLifecycleController()
    let podCache = TypedPods.Cache()

    /// One pass of every controller; writes only what differs from the desired state.
    func reconcile(_ state: inout StoreState, settings: Settings) {
        nodeLifecycle.monitorIfDue(&state, registry: registry, settings: settings.nodeLifecycle)
        schedule(&state, schedulingNode: settings.schedulingNode)
        replicate(&state)
        let pods = TypedPods(state.list(.pods), cache: podCache)
        maintainEndpoints(&state, pods: pods)
        if settings.servesEndpointSlices { maintainEndpointSlices(&state, pods: pods) }
    }

    // MARK: Scheduler

    /// Binds each pending pod without a node: to `schedulingNode` when set, else to the
    /// schedulable node with the fewest pods (by name on ties). Without nodes, pods stay Pending.
    func schedule(_ state: inout StoreState, schedulingNode: String?) {
        let pods = state.list(.pods)
        let unscheduled = pods.filter {
            ($0[path: ["spec", "nodeName"]]?.stringValue ?? "").isEmpty && !$0.isTerminating
                && !Controllers.isFinished($0)
        }
        guard !unscheduled.isEmpty else { return }
        var load: [String: Int] = [:]
        for node in state.list(.nodes) where node[path: ["spec", "unschedulable"]]?.boolValue != true {
            load[node.name ?? ""] = 0
        }
        for pod in pods {
            if let node = pod[path: ["spec", "nodeName"]]?.stringValue, load[node] != nil { load[node]! += 1 }
        }
        for pod in unscheduled {
            let target: String
            if let schedulingNode {
                target = schedulingNode
            } else if let best = load.min(by: { ($0.value, $0.key) < ($1.value, $1.key) })?.key {
                target = best
            } else {
                return
            }
            registry.bind(pod: pod, to: target, in: &state)
            load[target, default: 0] += 1
        }
    }

    // MARK: Replication manager

    /// Keeps `spec.replicas` active pods per replication controller: adopts matching orphans,
    /// creates pods from the template (generateName `<rc>-`, owner reference to the controller),
    /// deletes surplus pods gracefully in the order kube-controller-manager picks them, and
    /// writes the status counts.
    func replicate(_ state: inout StoreState) {
        for controller in state.list(.replicationcontrollers) {
            guard let uid = controller.uid, let name = controller.name else { continue }
            let namespace = controller.namespace ?? "default"
            let selector = LabelSelector(matching: controller[path: ["spec", "selector"]]?.stringMap ?? [:])
            guard !selector.requirements.isEmpty else { continue }
            var owned: [JSONValue] = []
            for pod in state.list(.pods, namespace: namespace) where selector.matches(pod.labels) {
                let references = pod[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []
                let controllerReference = references.first { $0["controller"]?.boolValue == true }
                if let controllerReference {
                    if controllerReference["uid"]?.stringValue == uid { owned.append(pod) }
                } else if !pod.isTerminating {
                    var adopted = pod
                    adopted[path: ["metadata", "ownerReferences"]] = .array(references + [Controllers.ownerReference(controller)])
                    owned.append(state.put(.pods, adopted))
                }
            }
            let active = owned.filter { !$0.isTerminating && !Controllers.isFinished($0) }
            let wanted = Int(controller[path: ["spec", "replicas"]]?.intValue ?? 1)
            if active.count < wanted {
                for _ in active.count..<wanted {
                    guard let pod = Controllers.pod(from: controller) else { break }
                    _ = try? registry.create(.pods, namespace: namespace, body: pod, in: &state)
                }
            } else if active.count > wanted {
                for victim in active.sorted(by: Controllers.deletedBefore).prefix(active.count - wanted) {
                    _ = try? registry.delete(
                        .pods, namespace: namespace, name: victim.name ?? "", options: DeleteOptions(), in: &state)
                }
            }
            let templateLabels = controller[path: ["spec", "template", "metadata", "labels"]]?.stringMap ?? [:]
            let ready = active.filter(Controllers.isReady).count
            var status = controller["status"] ?? .object([:])
            status["replicas"] = .int(Int64(active.count))
            status["fullyLabeledReplicas"] = .int(Int64(active.filter { pod in
                templateLabels.allSatisfy { pod.labels[$0.key] == $0.value }
            }.count))
            status["readyReplicas"] = ready > 0 ? .int(Int64(ready)) : nil
            status["availableReplicas"] = ready > 0 ? .int(Int64(ready)) : nil
            status["observedGeneration"] = controller[path: ["metadata", "generation"]]
            var updated = controller
            updated["status"] = status
            _ = try? registry.update(
                .replicationcontrollers, namespace: namespace, name: name, body: updated, status: true, in: &state)
        }
    }

    static func ownerReference(_ controller: JSONValue) -> JSONValue {
        let typed = (try? controller.decode(ReplicationController.self)) ?? ReplicationController()
        return (try? JSONValue(encoding: typed.controllerReference)) ?? .null
    }

    /// A new pod from a controller's template, as KubeAPI's `ReplicationController.newPod()`
    /// (the agent's own) builds it, laid over the template's JSON so that fields KubeAPI does not
    /// model survive.
    static func pod(from controller: JSONValue) -> JSONValue? {
        guard let typed = try? controller.decode(ReplicationController.self), let pod = typed.newPod(),
            let encoded = try? JSONValue(encoding: pod)
        else { return nil }
        let raw: JSONValue = ["spec": controller[path: ["spec", "template", "spec"]] ?? .object([:])]
        return raw.overlaid(with: encoded)
    }

    /// `controller.ActivePods` ordering: unassigned before assigned, Pending before Unknown
    /// before Running, not ready before ready, more restarts before fewer, newer before older.
    static func deletedBefore(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        func rank(_ pod: JSONValue) -> (Int, Int, Int, Int64, String) {
            let assigned = (pod[path: ["spec", "nodeName"]]?.stringValue ?? "").isEmpty ? 0 : 1
            let phase: Int
            switch pod[path: ["status", "phase"]]?.stringValue {
            case "Pending": phase = 0
            case "Unknown": phase = 1
            case "Running": phase = 2
            default: phase = 0
            }
            let restarts = (pod[path: ["status", "containerStatuses"]]?.arrayValue ?? [])
                .compactMap { $0["restartCount"]?.intValue }.max() ?? 0
            let created = pod[path: ["metadata", "creationTimestamp"]]?.stringValue ?? ""
            return (assigned, phase, isReady(pod) ? 1 : 0, -restarts, created)
        }
        let left = rank(lhs)
        let right = rank(rhs)
        if (left.0, left.1, left.2, left.3) != (right.0, right.1, right.2, right.3) {
            return (left.0, left.1, left.2, left.3) < (right.0, right.1, right.2, right.3)
        }
        if left.4 != right.4 { return left.4 > right.4 }
        return (lhs.name ?? "") > (rhs.name ?? "")
    }

    // MARK: Endpoints controller

    /// For every service with a selector, an Endpoints object of the same name, as KubeAPI's
    /// `EndpointsController` (the agent's own, for the manifest directory) computes it from the
    /// namespace's pods; written only when it differs.
    func maintainEndpoints(_ state: inout StoreState, pods: TypedPods) {
        for service in state.list(.services) {
            guard let selectorMap = service[path: ["spec", "selector"]]?.stringMap, !selectorMap.isEmpty,
                let name = service.name, let typed = try? service.decode(KubeAPI.Service.self)
            else { continue }
            let namespace = service.namespace ?? "default"
            let computed = EndpointsController.endpoints(for: typed, pods: pods[namespace])
            let key = ObjectKey(namespace: namespace, name: name)
            var endpoints = state.get(.endpoints, key)
                ?? ["apiVersion": "v1", "kind": "Endpoints", "metadata": ["name": .string(name), "namespace": .string(namespace)]]
            endpoints["subsets"] = try? computed.subsets.map { try JSONValue(encoding: $0) }
            endpoints[path: ["metadata", "labels"]] = service[path: ["metadata", "labels"]]
            if endpoints.uid == nil {
                _ = try? registry.create(.endpoints, namespace: namespace, body: endpoints, in: &state)
            } else {
                _ = try? registry.update(
                    .endpoints, namespace: namespace, name: name, body: endpoints, status: false, in: &state)
            }
        }
    }

    static func isReady(_ pod: JSONValue) -> Bool {
        (pod[path: ["status", "conditions"]]?.arrayValue ?? []).contains {
            $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True"
        }
    }

    static func isFinished(_ pod: JSONValue) -> Bool {
        let phase = pod[path: ["status", "phase"]]?.stringValue
        return phase == "Succeeded" || phase == "Failed"
    }
}
