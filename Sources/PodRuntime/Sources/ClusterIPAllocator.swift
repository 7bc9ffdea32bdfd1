import KubeAPI

/// Gives manifest-directory services a cluster IP when they name none, as the API server
/// would: inside the service range, stable for a service's namespace and name, unique.
public struct ClusterIPAllocator: Sendable {
    public let network: UInt32
    public let prefixLength: Int

    /// - Parameter cidr: the service range, e.g. `10.254.0.0/16`.
    /// - Throws: ``ClusterIPAllocatorError`` for a malformed range or one too small.
    public init(cidr: String) throws(ClusterIPAllocatorError) {
        let parts = cidr.split(separator: "/")
        guard parts.count == 2, let prefix = Int(parts[1]), (8...30).contains(prefix), let base = IPv4.parse(String(parts[0])) else {
            throw ClusterIPAllocatorError(range: cidr, reason: "expected an IPv4 range with a prefix of /8 to /30, like 10.254.0.0/16")
        }
        self.prefixLength = prefix
        self.network = base & (UInt32.max << (32 - prefix))
    }

    public func contains(_ ip: String) -> Bool {
        guard let value = IPv4.parse(ip) else { return false }
        return value & (UInt32.max << (32 - prefixLength)) == network
    }

    /// Assigns addresses to the services that have none; services that name one keep it.
    /// - Parameter services: (key, requested IP) pairs; key is `namespace/name`.
    /// - Returns: key -> address, and an error for each service (by key) left without one
    ///   because the range is full.
    public func assign(_ services: [(key: String, requested: String?)]) -> (addresses: [String: String], errors: [String: ClusterIPAllocatorError]) {
        let size = UInt32(1) << (32 - prefixLength)
        // The network address, the first host (kept for the master's service) and the
        // broadcast address are never handed out.
        let usable = size - 3
        var taken = Set<UInt32>()
        var result: [String: String] = [:]
        var errors: [String: ClusterIPAllocatorError] = [:]
        for service in services {
            if let requested = service.requested, let value = IPv4.parse(requested) {
                taken.insert(value)
                result[service.key] = requested
            }
        }
        // The free addresses, counted from the taken ones rather than by walking the range (a
        // /16 is 65,533 lookups on every scan of the manifest directory, a /8 16 million).
        let hosts = (network + 2)..<(network + (size - 1))
        var remaining = Int(usable) - taken.filter { hosts.contains($0) }.count
        for service in services.sorted(by: { $0.key < $1.key }) where result[service.key] == nil {
            guard remaining > 0 else {
                errors[service.key] = ClusterIPAllocatorError(
                    range: "\(IPv4.format(network))/\(prefixLength)",
                    reason: "no free address for service \(service.key): all \(usable) addresses are taken")
                continue
            }
            var offset = UInt32(FNV1a.hash64(service.key) % UInt64(usable)) + 2
            while taken.contains(network + offset) { offset = offset + 1 >= size - 1 ? 2 : offset + 1 }
            taken.insert(network + offset)
            remaining -= 1
            result[service.key] = IPv4.format(network + offset)
        }
        return (result, errors)
    }
}

public struct ClusterIPAllocatorError: Error, Sendable, CustomStringConvertible {
    public var range: String
    public var reason: String
    public var description: String { "service cluster IP range \"\(range)\": \(reason)" }
}

enum IPv4 {
    static func parse(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard let byte = UInt8(octet) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    static func format(_ value: UInt32) -> String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }
}
