import Glibc

/// Why the metrics server cannot listen; each case names the address.
public enum MetricsServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bind address is not `host:port` with a numeric host.
    case invalidBindAddress(String, reason: String)
    /// A socket call failed while opening the listener: `bind` with `EADDRINUSE` when another
    /// process has the port, `EADDRNOTAVAIL` when the address is not this host's.
    case listen(address: String, operation: String, errno: Int32)

    /// Whether another socket holds the port already.
    public var isAddressInUse: Bool {
        if case .listen(_, "bind", EADDRINUSE) = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .invalidBindAddress(let text, let reason):
            "invalid metrics bind address \"\(text)\": \(reason)"
        case .listen(let address, let operation, let code):
            "cannot serve metrics on \(address): \(operation): \(String(cString: strerror(code))) (errno \(code))"
        }
    }
}
