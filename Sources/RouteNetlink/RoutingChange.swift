/// One change to the routing tables.
public enum RoutingChange: Sendable, Hashable, CustomStringConvertible {
    case replaceRoute(Route)
    case deleteRoute(Route)
    case replaceNeighbour(Neighbour)
    case deleteNeighbour(Neighbour)
    case replaceFDB(FDBEntry)
    case deleteFDB(FDBEntry)

    public var description: String {
        switch self {
        case .replaceRoute(let route): "replace route \(route)"
        case .deleteRoute(let route): "delete route \(route)"
        case .replaceNeighbour(let neighbour): "replace neighbour \(neighbour)"
        case .deleteNeighbour(let neighbour): "delete neighbour \(neighbour)"
        case .replaceFDB(let entry): "replace fdb \(entry)"
        case .deleteFDB(let entry): "delete fdb \(entry)"
        }
    }

    func request(sequence: UInt32) -> RtnetlinkRequest {
        switch self {
        case .replaceRoute(let route): .replaceRoute(route, sequence: sequence)
        case .deleteRoute(let route): .deleteRoute(route, sequence: sequence)
        case .replaceNeighbour(let neighbour): .replaceNeighbour(neighbour, sequence: sequence)
        case .deleteNeighbour(let neighbour): .deleteNeighbour(neighbour, sequence: sequence)
        case .replaceFDB(let entry): .replaceFDB(entry, sequence: sequence)
        case .deleteFDB(let entry): .deleteFDB(entry, sequence: sequence)
        }
    }
}
