import TestSupport
import Foundation
import Logging
import RouteNetlink
import ServiceProxy
import Testing

@testable import FlannelBackend
import IPv4

/// Two nodes in network namespaces, each programmed by its own executor, as two agents would:
/// pod A reaches pod B by pod IP, and the kernel's listings are what flannel would program.
@Suite("two nodes in scratch network namespaces", .serialized)
struct TwoNodeTrafficTests {
    @Test("the machine has what the kernel tests need: root, iproute2, bridge and python3")
    func prerequisites() {
        #expect(ScratchNamespace.isAvailable, "run as root with iproute2 installed (scripts/install-deps.sh)")
        #expect(FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "python3 serves and connects in the traffic tests")
    }

    @Test("host-gw: pod A reaches pod B; a route deleted from outside is re-added; routes follow the leases")
    func hostGateway() throws {
        let lab = try TwoNodeLab()
        defer { lab.close() }
        let a = try lab.executor(on: lab.nodeA, lease: TwoNodeLab.leaseA, kind: .hostGateway)
        let b = try lab.executor(on: lab.nodeB, lease: TwoNodeLab.leaseB, kind: .hostGateway)
        let leaseA = RemoteLease(subnet: TwoNodeLab.leaseA.subnet, publicIP: TwoNodeLab.leaseA.publicIP, backendType: "host-gw")
        let leaseB = RemoteLease(subnet: TwoNodeLab.leaseB.subnet, publicIP: TwoNodeLab.leaseB.publicIP, backendType: "host-gw")
        // Every node sees every lease, its own included.
        try a.reconcile([leaseA, leaseB])
        try b.reconcile([leaseA, leaseB])
        #expect(try lab.nodeA.exec("ip", "route", "show", "proto", "151").sortedLines == ["10.1.20.0/24 via 192.168.50.2 dev u0"])
        #expect(try lab.nodeB.exec("ip", "route", "show", "proto", "151").sortedLines == ["10.1.15.0/24 via 192.168.50.1 dev u0"])
        try lab.serve(in: lab.podB, ["10.1.20.2:8080"])
        #expect(try lab.peerSeen(from: lab.podA, to: "10.1.20.2", port: 8080) == "10.1.15.2")

        // Deleted from outside: the next reconcile puts it back, and traffic flows again.
        try lab.nodeA.exec("ip", "route", "del", "10.1.20.0/24")
        #expect(try lab.peerSeen(from: lab.podA, to: "10.1.20.2", port: 8080) != "10.1.15.2")
        #expect(try a.reconcile([leaseA, leaseB]).count == 1)
        #expect(try lab.peerSeen(from: lab.podA, to: "10.1.20.2", port: 8080) == "10.1.15.2")

        // A third lease comes, then B's goes: routes follow; a route of someone else stays.
        try lab.nodeA.exec("ip", "route", "add", "10.1.99.0/24", "via", "192.168.50.2")
        let leaseC = RemoteLease(subnet: IPv4Network("10.1.30.0/24")!, publicIP: IPv4Address("192.168.50.3")!, backendType: "host-gw")
        try a.reconcile([leaseA, leaseB, leaseC])
        #expect(try lab.nodeA.exec("ip", "route", "show", "proto", "151").sortedLines == [
            "10.1.20.0/24 via 192.168.50.2 dev u0", "10.1.30.0/24 via 192.168.50.3 dev u0",
        ])
        try a.reconcile([leaseA, leaseC])
        #expect(try lab.nodeA.exec("ip", "route", "show", "proto", "151").sortedLines == ["10.1.30.0/24 via 192.168.50.3 dev u0"])
        #expect(try lab.nodeA.exec("ip", "route", "show", "10.1.99.0/24").sortedLines == ["10.1.99.0/24 via 192.168.50.2 dev u0"])
    }

    @Test("vxlan: flannel.1 on both nodes, pod A reaches pod B through it; neigh, fdb and routes follow the leases")
    func vxlan() throws {
        let lab = try TwoNodeLab()
        defer { lab.close() }
        let a = try lab.executor(on: lab.nodeA, lease: TwoNodeLab.leaseA, kind: .vxlan(VXLANSettings()))
        let b = try lab.executor(on: lab.nodeB, lease: TwoNodeLab.leaseB, kind: .vxlan(VXLANSettings()))
        let setupA = try a.setUp()
        let setupB = try b.setUp()
        #expect(setupA.mtu == 1450)
        let macA = try #require(setupA.vtepMAC)
        let macB = try #require(setupB.vtepMAC)
        let leaseA = RemoteLease(subnet: TwoNodeLab.leaseA.subnet, publicIP: TwoNodeLab.leaseA.publicIP, backendType: "vxlan", vtepMAC: "\(macA)")
        let leaseB = RemoteLease(subnet: TwoNodeLab.leaseB.subnet, publicIP: TwoNodeLab.leaseB.publicIP, backendType: "vxlan", vtepMAC: "\(macB)")
        try a.reconcile([leaseA, leaseB])
        try b.reconcile([leaseA, leaseB])

        let shown = try lab.nodeA.exec("ip", "-d", "link", "show", "flannel.1")
        #expect(shown.contains("mtu 1450"))
        #expect(shown.contains("vxlan id 1 local 192.168.50.1 dev u0"))
        #expect(shown.contains("dstport 8472"))
        #expect(shown.contains("nolearning"))
        #expect(try lab.nodeA.exec("ip", "-4", "-o", "addr", "show", "dev", "flannel.1").contains("inet 10.1.15.0/32"))
        #expect(try lab.nodeA.exec("ip", "route", "show", "proto", "151").sortedLines == ["10.1.20.0/24 via 10.1.20.0 dev flannel.1 onlink"])
        #expect(try lab.nodeA.exec("ip", "neigh", "show", "dev", "flannel.1").sortedLines == ["10.1.20.0 lladdr \(macB) PERMANENT"])
        #expect(try lab.nodeA.exec("bridge", "fdb", "show", "dev", "flannel.1").sortedLines == ["\(macB) dst 192.168.50.2 self permanent"])

        try lab.serve(in: lab.podB, ["10.1.20.2:8080"])
        #expect(try lab.peerSeen(from: lab.podA, to: "10.1.20.2", port: 8080) == "10.1.15.2")

        // A restarted agent adopts the device and its MAC, and changes nothing.
        let again = try lab.executor(on: lab.nodeA, lease: TwoNodeLab.leaseA, kind: .vxlan(VXLANSettings()))
        #expect(try again.setUp().vtepMAC == macA)
        #expect(try again.reconcile([leaseA, leaseB]).isEmpty)

        // The route deleted from outside comes back.
        try lab.nodeA.exec("ip", "route", "del", "10.1.20.0/24")
        #expect(try again.reconcile([leaseA, leaseB]).count == 1)
        #expect(try lab.peerSeen(from: lab.podA, to: "10.1.20.2", port: 8080) == "10.1.15.2")

        // B's lease goes: everything for it goes.
        try again.reconcile([leaseA])
        #expect(try lab.nodeA.exec("ip", "route", "show", "proto", "151").sortedLines == [])
        #expect(try lab.nodeA.exec("ip", "neigh", "show", "dev", "flannel.1").sortedLines == [])
        #expect(try lab.nodeA.exec("bridge", "fdb", "show", "dev", "flannel.1").sortedLines == [])
    }

    @Test("ip-masq: pod traffic leaving the flannel network is masqueraded, traffic between pods is not")
    func ipMasq() throws {
        let lab = try TwoNodeLab()
        defer { lab.close() }
        let a = try lab.executor(on: lab.nodeA, lease: TwoNodeLab.leaseA, kind: .hostGateway)
        let b = try lab.executor(on: lab.nodeB, lease: TwoNodeLab.leaseB, kind: .hostGateway)
        let leases = [TwoNodeLab.leaseA, TwoNodeLab.leaseB].map {
            RemoteLease(subnet: $0.subnet, publicIP: $0.publicIP, backendType: "host-gw")
        }
        try a.reconcile(leases)
        try b.reconcile(leases)
        let ruleset = IPMasqRules.ruleset(network: IPv4Network("10.1.0.0/16")!, lease: TwoNodeLab.leaseA.subnet)
        let masq = IPMasqService(
            ruleset: ruleset, writer: try NetlinkRulesetWriter(networkNamespace: lab.nodeA.path), logger: Logger(label: "test"))
        try masq.apply()
        let listed = try lab.nodeA.exec("nft", "list", "table", "ip", "clc-flannel")
        #expect(listed.sortedLines == ruleset.render().sortedLines)

        try lab.serve(in: lab.podB, ["10.1.20.2:8080"])
        try lab.serve(in: lab.nodeB, ["192.168.50.2:8081"])
        // Pod to pod: the source stays the pod's.
        #expect(try lab.peerSeen(from: lab.podA, to: "10.1.20.2", port: 8080) == "10.1.15.2")
        // Pod to outside the network: the node's address.
        #expect(try lab.peerSeen(from: lab.podA, to: "192.168.50.2", port: 8081) == "192.168.50.1")
        // Applying again replaces the table (idempotent).
        try masq.apply()
        #expect(try lab.nodeA.exec("nft", "list", "table", "ip", "clc-flannel").sortedLines == listed.sortedLines)
    }

    @Test("Docker's FORWARD drop: pod traffic between nodes passes once DOCKER-USER accepts the flannel network")
    func dockerForwardPolicy() async throws {
        let lab = try TwoNodeLab()
        defer { lab.close() }
        let leases = [TwoNodeLab.leaseA, TwoNodeLab.leaseB].map { RemoteLease(subnet: $0.subnet, publicIP: $0.publicIP, backendType: "host-gw") }
        for (node, lease) in [(lab.nodeA, TwoNodeLab.leaseA), (lab.nodeB, TwoNodeLab.leaseB)] {
            try lab.executor(on: node, lease: lease, kind: .hostGateway).reconcile(leases)
            // What dockerd does to FORWARD, in the node's own namespace.
            try node.exec("iptables", "-w", "5", "-N", "DOCKER-USER")
            try node.exec("iptables", "-w", "5", "-A", "DOCKER-USER", "-j", "RETURN")
            try node.exec("iptables", "-w", "5", "-A", "FORWARD", "-j", "DOCKER-USER")
            try node.exec("iptables", "-w", "5", "-P", "FORWARD", "DROP")
        }
        try lab.serve(in: lab.podB, ["10.1.20.2:8080"])
        #expect(try lab.peerSeen(from: lab.podA, to: "10.1.20.2", port: 8080) == "timeout")
        for node in [lab.nodeA, lab.nodeB] {
            let accept = DockerForwardAccept(mark: 0x4000, acceptedNetworks: ["10.1.0.0/16"], runner: NamespaceRunner(namespace: node))
            #expect(try await accept.ensure() == .inserted)
            #expect(try await accept.ensure() == .alreadyPresent)
        }
        #expect(try lab.peerSeen(from: lab.podA, to: "10.1.20.2", port: 8080) == "10.1.15.2")
        let chain = try lab.nodeA.exec("iptables", "-w", "5", "-S", "DOCKER-USER").sortedLines
        #expect(chain.contains(#"-A DOCKER-USER -s 10.1.0.0/16 -m comment --comment "clc-node: flannel network" -j ACCEPT"#))
        #expect(chain.contains(#"-A DOCKER-USER -d 10.1.0.0/16 -m comment --comment "clc-node: flannel network" -j ACCEPT"#))
    }
}

/// Runs the commands of `DockerForwardAccept` inside a scratch namespace.
struct NamespaceRunner: CommandRunner {
    let namespace: ScratchNamespace

    func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, stderr: String) {
        try await SpawnCommandRunner().run("ip", ["netns", "exec", namespace.name, executable] + arguments)
    }
}
