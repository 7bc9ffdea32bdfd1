/// Why no lease was acquired.
public enum LeaseError: Error, Sendable, Hashable, CustomStringConvertible {
    case outOfSubnets(LeasePlanError)
    /// Every attempt lost its atomic create to another node.
    case racesLost(attempts: Int)
    case registry(RegistryError)

    public var description: String {
        switch self {
        case let .outOfSubnets(error): error.description
        case let .racesLost(attempts): "lost the race for a subnet \(attempts) times in a row"
        case let .registry(error): error.description
        }
    }
}
