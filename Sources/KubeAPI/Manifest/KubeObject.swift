/// One object read from a manifest, by kind. Lists keep their items in order, recursively.
public enum KubeObject: Sendable, Hashable {
    case pod(Pod)
    case replicationController(ReplicationController)
    case service(Service)
    case endpoints(Endpoints)
    /// A `List`, `PodList`, `ServiceList`, ...: its items, each dispatched by kind.
    case list([KubeObject])
    /// A kind this module does not model; kept by name so callers can report or skip it.
    case other(kind: String)

    /// The object's `kind` as the manifest spells it ("List" for every list).
    public var kind: String {
        switch self {
        case .pod: "Pod"
        case .replicationController: "ReplicationController"
        case .service: "Service"
        case .endpoints: "Endpoints"
        case .list: "List"
        case .other(let kind): kind
        }
    }

    /// Every pod in this object, including those nested in lists, in manifest order.
    public var pods: [Pod] {
        switch self {
        case .pod(let pod): [pod]
        case .list(let items): items.flatMap(\.pods)
        default: []
        }
    }
}
