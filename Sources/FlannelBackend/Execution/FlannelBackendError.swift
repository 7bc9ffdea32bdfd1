import IPv4
import RouteNetlink

/// Why a backend could not set up or program the kernel, naming what it was doing.
public enum FlannelBackendError: Error, Sendable, CustomStringConvertible {
    /// No interface holds the lease's public IP, so the underlay is unknown.
    case noInterfaceHolds(IPv4Address)
    /// The interface named by `--iface` does not exist.
    case interfaceNotFound(String)
    /// The MAC state file could not be read or written, or holds no MAC address.
    case macStateFile(path: String, problem: String)
    /// A netlink operation failed during `step`.
    case netlink(step: String, RouteNetlinkError)

    public var description: String {
        switch self {
        case .noInterfaceHolds(let address): "no interface holds the public IP \(address); give the underlay with --iface"
        case .interfaceNotFound(let name): "the interface \(name) does not exist"
        case let .macStateFile(path, problem): "the vxlan MAC state file \(path): \(problem)"
        case let .netlink(step, error): "\(step): \(error)"
        }
    }
}
