import Testing

@testable import ServiceProxy
import IPv4

/// Real connections from a client namespace to a node namespace programmed through netlink.
@Suite("traffic through the programmed node")
struct TrafficTests {
    /// `default/web` on 10.254.0.10:80 and NodePort 30001, endpoints 10.244.1.2-4:8080.
    private func web(backends: [UInt8] = [2, 3, 4], affinity: ProxiedService.SessionAffinity = .none) -> ProxiedService {
        ProxiedService(
            name: "web", clusterIP: Fixtures.ip("10.254.0.10"), ports: [.init(port: 80, nodePort: 30001, targetPort: .number(8080))],
            sessionAffinity: affinity,
            endpoints: ["": backends.map { .init(ip: IPv4Address(10, 244, 1, $0), port: 8080) }])
    }

    private let backends = ["10.244.1.2:8080", "10.244.1.3:8080", "10.244.1.4:8080"]
    private let backendIPs: Set = ["10.244.1.2", "10.244.1.3", "10.244.1.4"]

    @Test("connections to a cluster IP and to a NodePort spread across all 3 backends")
    func spreads() throws {
        let lab = try TrafficLab()
        defer { lab.tearDown() }
        try lab.startBackends(backends)
        try lab.writer.apply(.fullSync(Fixtures.ruleset(web())))
        for (host, port) in [("10.254.0.10", 80), (TrafficLab.nodeIP, 30001)] {
            let outcome = try lab.connect(to: host, port: port, count: 60)
            #expect(Set(outcome.counts.keys) == backendIPs, "\(host):\(port) \(outcome.counts)")
            #expect(outcome.counts.values.reduce(0, +) == 60)
        }
    }

    @Test("the node itself reaches the cluster IP (nat output)")
    func fromTheNode() throws {
        let lab = try TrafficLab()
        defer { lab.tearDown() }
        try lab.startBackends(backends)
        try lab.writer.apply(.fullSync(Fixtures.ruleset(web())))
        let outcome = try lab.connect(to: "10.254.0.10", port: 80, count: 30, from: lab.node)
        #expect(Set(outcome.counts.keys).isSubset(of: backendIPs) && outcome.counts.values.reduce(0, +) == 30, "\(outcome.counts)")
    }

    @Test("a backend removed by an incremental sync receives no new connections")
    func backendRemoved() throws {
        let lab = try TrafficLab()
        defer { lab.tearDown() }
        try lab.startBackends(backends)
        var sync = RulesetSync()
        try sync.sync(to: Fixtures.state(web()), with: lab.writer)
        #expect(try sync.sync(to: Fixtures.state(web(backends: [2, 3])), with: lab.writer) == .partial)
        let outcome = try lab.connect(to: "10.254.0.10", port: 80, count: 40)
        #expect(Set(outcome.counts.keys) == ["10.244.1.2", "10.244.1.3"], "\(outcome.counts)")
    }

    @Test("a service without endpoints refuses at once, by cluster IP and by NodePort")
    func refusesWithoutEndpoints() throws {
        let lab = try TrafficLab()
        defer { lab.tearDown() }
        try lab.writer.apply(.fullSync(Fixtures.ruleset(web(backends: []))))
        for (host, port) in [("10.254.0.10", 80), (TrafficLab.nodeIP, 30001)] {
            let outcome = try lab.connect(to: host, port: port, count: 3)
            #expect(outcome.counts == ["ECONNREFUSED": 3], "\(host):\(port)")
            #expect(outcome.slowest < 0.5)
        }
    }

    @Test(
        "a pod that reaches its own service and lands on itself is answered: the hairpin connection is masqueraded",
        arguments: [ProxiedService.SessionAffinity.none, .clientIP(timeoutSeconds: 60)])
    func hairpin(_ affinity: ProxiedService.SessionAffinity) throws {
        let lab = try TrafficLab()
        defer { lab.tearDown() }
        // Unmasqueraded, the pod would get its own SYN back from outside, a martian it drops.
        let pod = try lab.addPod(ip: "10.244.1.2", gateway: "10.244.1.1")
        try lab.startBackends(["10.244.1.2:8080"], in: pod)
        try lab.writer.apply(.fullSync(Fixtures.ruleset(web(backends: [2], affinity: affinity))))
        let outcome = try lab.connect(to: "10.254.0.10", port: 80, count: 3, from: pod)
        #expect(outcome.counts == ["10.244.1.2": 3], "\(outcome.counts)")
    }

    @Test("with ClientIP affinity every connection from one client goes to the same backend")
    func affinity() throws {
        let lab = try TrafficLab()
        defer { lab.tearDown() }
        try lab.startBackends(backends)
        try lab.writer.apply(.fullSync(Fixtures.ruleset(web(affinity: .clientIP(timeoutSeconds: 60)))))
        let outcome = try lab.connect(to: "10.254.0.10", port: 80, count: 20)
        #expect(outcome.counts.count == 1 && backendIPs.contains(outcome.counts.keys.first!), "\(outcome.counts)")
    }
}
