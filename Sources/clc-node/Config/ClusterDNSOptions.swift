import ArgumentParser
import FlannelSubnet
import Foundation
import IPv4
import PodRuntime

/// kubelet's DNS flags: what pods' resolv.conf holds.
struct ClusterDNSOptions: ParsableArguments {
    @Option(name: .customLong("cluster-dns"), help: "The cluster DNS servers, comma-separated IP addresses; ClusterFirst pods resolve through them (none: they get the host's resolver, with a MissingClusterDNS warning).")
    var clusterDNS = ""

    @Option(name: .customLong("cluster-domain"), help: "The cluster's domain: ClusterFirst pods search <namespace>.svc.<domain>, svc.<domain> and <domain>.")
    var clusterDomain = ClusterDNS.defaultDomain

    @Option(name: .customLong("resolv-conf"), help: "The host's resolver file, which dnsPolicy Default pods get; empty: none (they resolve nothing).")
    var resolvConf = ClusterDNS.defaultResolvConfPath


    var servers: [String] {
        clusterDNS.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    var settings: ClusterDNS { ClusterDNS(servers: servers, domain: clusterDomain, resolvConfPath: resolvConf) }

    func validate() throws {
        for server in servers where IPv4Address(server) == nil && !server.contains(":") {
            throw ValidationError("--cluster-dns: \"\(server)\" is not an IP address")
        }
    }
}
