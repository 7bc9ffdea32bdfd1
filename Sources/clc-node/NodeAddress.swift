import Foundation

/// The node's own addresses, for `--node-ip` and `--node-name` defaults.
enum NodeAddress {
    /// The first IPv4 address of an interface that is up and not loopback.
    static func firstIPv4() -> String? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return nil }
        defer { freeifaddrs(list) }
        var candidates: [(String, String)] = []
        for entry in sequence(first: first, next: { $0.pointee.ifa_next }) {
            let flags = Int32(entry.pointee.ifa_flags)
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET),
                flags & Int32(IFF_UP) != 0, flags & Int32(IFF_LOOPBACK) == 0
            else { continue }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            guard getnameinfo(address, socklen_t(MemoryLayout<sockaddr_in>.size), &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else { continue }
            let name = entry.pointee.ifa_name.map { String(validatingCString: $0) ?? "" } ?? ""
            candidates.append((name, Self.string(host)))
        }
        // Bridges of container engines are not the node's address.
        let preferred = candidates.first { !$0.0.hasPrefix("docker") && !$0.0.hasPrefix("br-") && !$0.0.hasPrefix("veth") && !$0.0.hasPrefix("clcbr") }
        return (preferred ?? candidates.first)?.1
    }

    static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        return string(buffer).lowercased()
    }

    private static func string(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
