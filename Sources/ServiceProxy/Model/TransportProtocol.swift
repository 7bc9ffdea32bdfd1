/// The transport protocols a service port can carry (Kubernetes' `protocol: TCP|UDP`).
public enum TransportProtocol: String, Sendable, Hashable, Comparable, CaseIterable {
    case tcp
    case udp

    /// Parses the Kubernetes spelling (`TCP`, `UDP`); nil for SCTP and anything unknown.
    public init?(kubernetes name: String?) {
        switch (name ?? "TCP").uppercased() {
        case "TCP": self = .tcp
        case "UDP": self = .udp
        default: return nil
        }
    }

    /// The IP protocol number (`meta l4proto`).
    public var number: UInt8 {
        switch self {
        case .tcp: 6
        case .udp: 17
        }
    }

    public static func < (lhs: TransportProtocol, rhs: TransportProtocol) -> Bool { lhs.number < rhs.number }
}
