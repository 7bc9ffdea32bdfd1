import Foundation

@testable import ServiceProxy

/// A scratch network namespace with real UDP conntrack entries in it. Endpoints 10.244.1.2 and
/// 10.244.1.3 are addresses of its loopback; the service range 10.254.0.0/16 is routed to the
/// loopback too, so datagrams to it leave (and get tracked) whether or not they are DNATed.
///
/// The lab's own nftables table `ip clc-conntrack-test` (in the namespace only) DNATs as the
/// proxy would and puts one flow in conntrack zone 7:
///
/// - source port 40001 to 10.254.0.2:53 goes to 10.244.1.2:5353, any other to 10.244.1.3:5353;
/// - 10.254.0.3:53 goes to 10.244.1.2:5353;
/// - port 30053 on any address (a NodePort) goes to 10.244.1.2:5353;
/// - 10.254.0.4 is not DNATed (a service whose rules do not exist yet);
/// - source port 40007 is tracked in zone 7.
///
/// Nothing listens: an unanswered UDP flow stays in the table as UNREPLIED, for the 300 s the
/// lab sets as the namespace's UDP timeout.
final class ConntrackLab {
    let namespace: NetworkNamespace
    let table: NetlinkConntrackTable

    static let rules = """
        add table ip clc-conntrack-test
        add chain ip clc-conntrack-test raw { type filter hook output priority -300; }
        add rule ip clc-conntrack-test raw udp sport 40007 ct zone set 7
        add chain ip clc-conntrack-test out { type nat hook output priority -100; }
        add rule ip clc-conntrack-test out ip daddr 10.254.0.2 udp dport 53 udp sport 40001 dnat to 10.244.1.2:5353
        add rule ip clc-conntrack-test out ip daddr 10.254.0.2 udp dport 53 dnat to 10.244.1.3:5353
        add rule ip clc-conntrack-test out ip daddr 10.254.0.3 udp dport 53 dnat to 10.244.1.2:5353
        add rule ip clc-conntrack-test out udp dport 30053 dnat to 10.244.1.2:5353
        """

    init() throws {
        namespace = try NetworkNamespace(prefix: "clcproxy-ct")
        do {
            for endpoint in ["10.244.1.2", "10.244.1.3"] {
                try namespace.exec("ip", "addr", "add", "\(endpoint)/32", "dev", "lo")
            }
            try namespace.exec("ip", "route", "add", "10.254.0.0/16", "dev", "lo")
            try namespace.exec("nft", Self.rules.split(separator: "\n").joined(separator: "; "))
            // After the NAT chain: conntrack is active in the namespace from then on.
            try namespace.exec("sysctl", "-qw", "net.netfilter.nf_conntrack_udp_timeout=300")
            table = try NetlinkConntrackTable(networkNamespace: namespace.path)
        } catch {
            namespace.remove()
            throw error
        }
    }

    func tearDown() { namespace.remove() }

    /// Sends one datagram from each source port to its destination (`host`, `port`).
    func send(_ flows: [(sourcePort: UInt16, host: String, port: UInt16)]) throws {
        try namespace.exec(["python3", "-c", Self.sender] + flows.map { "\($0.sourcePort):\($0.host):\($0.port)" })
    }

    /// The UDP flows `/proc/net/nf_conntrack` lists in the namespace, by original source port
    /// with their zone: a listing that owes nothing to our dump code.
    func procFlows() throws -> [UInt16: UInt16] {
        var flows: [UInt16: UInt16] = [:]
        for line in try namespace.exec("cat", "/proc/net/nf_conntrack").split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.contains("udp"),
                let sport = fields.first(where: { $0.hasPrefix("sport=") }).flatMap({ UInt16($0.dropFirst(6)) })
            else { continue }
            flows[sport] = fields.first(where: { $0.hasPrefix("zone=") }).flatMap { UInt16($0.dropFirst(5)) } ?? 0
        }
        return flows
    }

    private static let sender = """
        import socket, sys
        for spec in sys.argv[1:]:
            sport, host, port = spec.split(":")
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("", int(sport)))
            s.sendto(b"x", (host, int(port)))
            s.close()
        """
}

extension NetworkNamespace {
    @discardableResult
    func exec(_ arguments: [String]) throws -> String {
        try Self.run("/usr/sbin/ip", ["netns", "exec", name] + arguments)
    }
}
