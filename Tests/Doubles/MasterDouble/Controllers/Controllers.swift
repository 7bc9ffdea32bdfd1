import Foundation

/// The parts of a master's control plane the tests need, each one pass over the store:
/// the scheduler, the replication manager, the endpoints controller and the node lifecycle
/// controller. They write through the registry like any client, so watches see their changes.
struct Controllers: Sendable {
    var registry: Registry
    let nodeLifecycle = NodeLifecycleController()

    /// One pass of every controller; writes only what differs from the desired state.
    func reconcile(_ state: inout StoreState, settings: Settings) {
        nodeLifecycle.monitorIfDue(&state, registry: registry, settings: settings.nodeLifecycle)
        schedule(&state, schedulingNode: settings.schedulingNode)
        replicate(&state)
        maintainEndpoints(&state)
        if settings.servesEndpointSlices { maintainEndpointSlices(&state) }
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
                    _ = try? registry.create(.pods, namespace: namespace, body: Controllers.pod(from: controller), in: &state)
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
        [
            "apiVersion": "v1", "kind": "ReplicationController", "name": .string(controller.name ?? ""),
            "uid": .string(controller.uid ?? ""), "controller": true, "blockOwnerDeletion": true,
        ]
    }

    /// A new pod from a controller's template, as the replication manager posts it.
    static func pod(from controller: JSONValue) -> JSONValue {
        let template = controller[path: ["spec", "template"]] ?? .object([:])
        var metadata: JSONValue = [
            "generateName": .string("\(controller.name ?? "")-"),
            "namespace": .string(controller.namespace ?? "default"),
            "ownerReferences": [ownerReference(controller)],
        ]
        if let labels = template[path: ["metadata", "labels"]] { metadata["labels"] = labels }
        if let annotations = template[path: ["metadata", "annotations"]] { metadata["annotations"] = annotations }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": template["spec"] ?? .object([:])]
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

    /// For every service with a selector, an Endpoints object of the same name: ready pods'
    /// IPs in `addresses`, the others with an IP in `notReadyAddresses`, ports from the service
    /// with each `targetPort` resolved (a number as is, a name through the pod's container
    /// ports). Terminating pods are left out.
    func maintainEndpoints(_ state: inout StoreState) {
        for service in state.list(.services) {
            guard let selectorMap = service[path: ["spec", "selector"]]?.stringMap, !selectorMap.isEmpty,
                let name = service.name
            else { continue }
            let namespace = service.namespace ?? "default"
            let selector = LabelSelector(matching: selectorMap)
            let servicePorts = service[path: ["spec", "ports"]]?.arrayValue ?? []
            var groups: [[JSONValue]: (ready: [JSONValue], notReady: [JSONValue])] = [:]
            for pod in state.list(.pods, namespace: namespace) where selector.matches(pod.labels) {
                guard let address = Controllers.endpointAddress(pod, service: service) else { continue }
                let ports = servicePorts.compactMap { Controllers.endpointPort($0, pod: pod) }
                if ports.isEmpty, !servicePorts.isEmpty { continue }
                if Controllers.isReady(pod) {
                    groups[ports, default: ([], [])].ready.append(address)
                } else {
                    groups[ports, default: ([], [])].notReady.append(address)
                }
            }
            let subsets: [JSONValue] = groups.keys.sorted { $0.description < $1.description }.map { ports in
                let group = groups[ports]!
                var subset: JSONValue = .object([:])
                let byIP: (JSONValue, JSONValue) -> Bool = {
                    ($0["ip"]?.stringValue ?? "") < ($1["ip"]?.stringValue ?? "")
                }
                if !group.ready.isEmpty { subset["addresses"] = .array(group.ready.sorted(by: byIP)) }
                if !group.notReady.isEmpty { subset["notReadyAddresses"] = .array(group.notReady.sorted(by: byIP)) }
                if !ports.isEmpty { subset["ports"] = .array(ports) }
                return subset
            }
            let key = ObjectKey(namespace: namespace, name: name)
            var endpoints = state.get(.endpoints, key)
                ?? ["apiVersion": "v1", "kind": "Endpoints", "metadata": ["name": .string(name), "namespace": .string(namespace)]]
            endpoints["subsets"] = subsets.isEmpty ? nil : .array(subsets)
            let serviceLabels = service[path: ["metadata", "labels"]]
            endpoints[path: ["metadata", "labels"]] = serviceLabels
            if endpoints.uid == nil {
                _ = try? registry.create(.endpoints, namespace: namespace, body: endpoints, in: &state)
            } else {
                _ = try? registry.update(
                    .endpoints, namespace: namespace, name: name, body: endpoints, status: false, in: &state)
            }
        }
    }

    static func endpointAddress(_ pod: JSONValue, service: JSONValue) -> JSONValue? {
        let ip = pod[path: ["status", "podIP"]]?.stringValue
            ?? pod[path: ["status", "podIPs"]]?.arrayValue?.first?["ip"]?.stringValue ?? ""
        guard !ip.isEmpty, !pod.isTerminating else { return nil }
        let phase = pod[path: ["status", "phase"]]?.stringValue
        switch pod[path: ["spec", "restartPolicy"]]?.stringValue {
        case "Never" where phase == "Failed" || phase == "Succeeded": return nil
        case "OnFailure" where phase == "Succeeded": return nil
        default: break
        }
        var address: JSONValue = [
            "ip": .string(ip),
            "targetRef": [
                "kind": "Pod", "namespace": .string(pod.namespace ?? ""), "name": .string(pod.name ?? ""),
                "uid": .string(pod.uid ?? ""),
            ],
        ]
        if let node = pod[path: ["spec", "nodeName"]]?.stringValue, !node.isEmpty { address["nodeName"] = .string(node) }
        if let hostname = pod[path: ["spec", "hostname"]]?.stringValue, !hostname.isEmpty,
            pod[path: ["spec", "subdomain"]]?.stringValue == service.name
        {
            address["hostname"] = .string(hostname)
        }
        return address
    }

    /// The endpoint port for one service port on one pod; nil when a named target port is not
    /// among the pod's container ports.
    static func endpointPort(_ servicePort: JSONValue, pod: JSONValue) -> JSONValue? {
        let protocolName = servicePort["protocol"]?.stringValue ?? "TCP"
        let number: Int64
        switch servicePort["targetPort"] ?? servicePort["port"] ?? .null {
        case .int(let value): number = value
        case .string(let portName):
            let containers = pod[path: ["spec", "containers"]]?.arrayValue ?? []
            guard let match = containers.flatMap({ $0["ports"]?.arrayValue ?? [] }).first(where: {
                $0["name"]?.stringValue == portName && ($0["protocol"]?.stringValue ?? "TCP") == protocolName
            }), let value = match["containerPort"]?.intValue else { return nil }
            number = value
        default: return nil
        }
        var port: JSONValue = ["port": .int(number), "protocol": .string(protocolName)]
        if let name = servicePort["name"]?.stringValue, !name.isEmpty { port["name"] = .string(name) }
        return port
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
