/// The resource types the double serves, with what the API server knows about each.
enum Resource: String, CaseIterable, Sendable, Hashable {
    case pods
    case nodes
    case services
    case endpoints
    case events
    case replicationcontrollers
    case leases
    case secrets
    case configmaps
    case serviceaccounts
    case endpointslices

    var kind: String {
        switch self {
        case .pods: "Pod"
        case .nodes: "Node"
        case .services: "Service"
        case .endpoints: "Endpoints"
        case .events: "Event"
        case .replicationcontrollers: "ReplicationController"
        case .leases: "Lease"
        case .secrets: "Secret"
        case .configmaps: "ConfigMap"
        case .serviceaccounts: "ServiceAccount"
        case .endpointslices: "EndpointSlice"
        }
    }

    var listKind: String { kind + "List" }

    var group: String {
        switch self {
        case .leases: "coordination.k8s.io"
        case .endpointslices: "discovery.k8s.io"
        default: ""
        }
    }

    var apiVersion: String { group.isEmpty ? "v1" : "\(group)/v1" }

    var namespaced: Bool { self != .nodes }

    /// Whether writes to the object itself leave `.status` alone (a `/status` subresource).
    var hasStatus: Bool {
        switch self {
        case .pods, .nodes, .services, .replicationcontrollers: true
        case .endpoints, .events, .leases, .secrets, .configmaps, .serviceaccounts, .endpointslices: false
        }
    }

    /// Whether a PUT of a missing object creates it (`AllowCreateOnUpdate` of the strategy).
    var createsOnUpdate: Bool {
        switch self {
        case .endpoints, .events, .leases: true
        case .pods, .nodes, .services, .replicationcontrollers, .secrets, .configmaps, .serviceaccounts, .endpointslices: false
        }
    }

    /// Whether the strategy bumps `metadata.generation` on spec changes.
    var tracksGeneration: Bool { self == .pods || self == .replicationcontrollers }

    /// `pods`, or `leases.coordination.k8s.io`: how error messages name the resource.
    var qualifiedName: String { group.isEmpty ? rawValue : "\(rawValue).\(group)" }

    /// Field selector labels the API server accepts for this resource (`ToSelectableFields`).
    var selectableFields: Set<String> {
        var fields: Set<String> = ["metadata.name", "metadata.namespace"]
        switch self {
        case .pods:
            fields.formUnion([
                "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName",
            ])
        case .nodes:
            fields.insert("spec.unschedulable")
        case .events:
            fields.formUnion([
                "involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
                "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
                "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type",
            ])
        case .replicationcontrollers:
            fields.insert("status.replicas")
        case .secrets:
            fields.insert("type")
        case .services, .endpoints, .leases, .configmaps, .serviceaccounts, .endpointslices:
            break
        }
        return fields
    }

    /// The resource for a kind ("Pod") or resource name ("pods"), case-insensitively.
    init?(kindOrName: String) {
        let lowered = kindOrName.lowercased()
        if let match = Resource.allCases.first(where: {
            $0.rawValue == lowered || $0.kind.lowercased() == lowered || $0.rawValue == lowered + "s"
        }) {
            self = match
        } else {
            return nil
        }
    }
}
