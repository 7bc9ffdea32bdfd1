import Glibc

/// Where the metrics server listens: `host:port` as kube-proxy's `--metrics-bind-address` takes
/// it, with a numeric IPv4 address, a bracketed IPv6 address, or `localhost` (127.0.0.1).
/// Port 0 asks the kernel for any free port.
public struct BindAddress: Sendable, Hashable, CustomStringConvertible {
    public enum Family: Sendable, Hashable {
        case ipv4
        case ipv6
    }

    /// The numeric address, without brackets.
    public var host: String
    public var family: Family
    public var port: UInt16

    /// kube-proxy's default: loopback only, port 10249.
    public static let kubeProxyDefault = BindAddress(host: "127.0.0.1", family: .ipv4, port: 10249)

    public init(host: String, family: Family, port: UInt16) {
        self.host = host
        self.family = family
        self.port = port
    }

    /// - Parameter text: `127.0.0.1:10249`, `0.0.0.0:10249`, `[::1]:10249`, `localhost:0`.
    /// - Throws: ``MetricsServerError/invalidBindAddress(_:reason:)`` naming the text and what
    ///   is wrong with it.
    public init(parsing text: String) throws(MetricsServerError) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw .invalidBindAddress(text, reason: "an IPv6 address needs a closing ]")
            }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.first == ":" else { throw .invalidBindAddress(text, reason: "expected :PORT after ]") }
            portPart = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw .invalidBindAddress(text, reason: "expected HOST:PORT, e.g. 127.0.0.1:10249")
            }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            if hostPart.contains(":") {
                throw .invalidBindAddress(text, reason: "an IPv6 address must be in brackets, e.g. [::1]:10249")
            }
        }
        guard !portPart.isEmpty, portPart.allSatisfy(\.isASCII), portPart.allSatisfy(\.isNumber),
            let port = UInt16(portPart)
        else {
            throw .invalidBindAddress(text, reason: "port \"\(portPart)\" is not a number from 0 to 65535")
        }
        if hostPart.isEmpty {
            // Go's net.Listen would take ":10249" as every interface; metrics are exposed
            // beyond the node only when someone writes 0.0.0.0.
            throw .invalidBindAddress(text, reason: "no host; use 0.0.0.0:\(port) for every interface")
        }
        let host = hostPart == "localhost" ? "127.0.0.1" : String(hostPart)
        if text.hasPrefix("[") {
            guard Self.parses(host, family: AF_INET6) else {
                throw .invalidBindAddress(text, reason: "\"\(host)\" is not an IPv6 address")
            }
            self.init(host: host, family: .ipv6, port: port)
        } else {
            guard Self.parses(host, family: AF_INET) else {
                throw .invalidBindAddress(text, reason: "\"\(host)\" is not an IPv4 address")
            }
            self.init(host: host, family: .ipv4, port: port)
        }
    }

    public var description: String {
        switch family {
        case .ipv4: "\(host):\(port)"
        case .ipv6: "[\(host)]:\(port)"
        }
    }

    private static func parses(_ host: String, family: Int32) -> Bool {
        var storage = in6_addr()
        return inet_pton(family, host, &storage) == 1
    }
}
