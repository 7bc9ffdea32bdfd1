import KubeAPI
import Testing

@testable import PodRuntime

@Suite("Pods' resolv.conf as kubelet makes it")
struct PodDNSPlannerTests {
    static let host = """
        # written by the operator
        nameserver 192.168.1.1
        nameserver 192.168.1.2
        search corp.example. lab.example .
        options timeout:2 attempts:3
        options timeout:1
        """

    /// One case: a mutator of the base pod (`web` in `shop`, ClusterFirst, on the pod network),
    /// the node's settings and the file expected.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var cluster = ClusterDNS(servers: ["10.254.0.10"], domain: "cluster.local")
        var hostFile: String? = PodDNSPlannerTests.host
        var mutate: @Sendable (inout PodSpec) -> Void = { _ in }
        var expected: String
        var events: [String] = []
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "ClusterFirst: the cluster's servers, its search domains before the host's, ndots:5",
            expected: """
                nameserver 10.254.0.10
                search shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example
                options ndots:5

                """),
        Case(
            name: "ClusterFirst on the host network is Default",
            mutate: { $0.hostNetwork = true },
            expected: """
                nameserver 192.168.1.1
                nameserver 192.168.1.2
                search corp.example lab.example
                options timeout:1 attempts:3

                """),
        Case(
            name: "ClusterFirstWithHostNet on the host network is ClusterFirst",
            mutate: {
                $0.hostNetwork = true
                $0.dnsPolicy = "ClusterFirstWithHostNet"
            },
            expected: """
                nameserver 10.254.0.10
                search shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example
                options ndots:5

                """),
        Case(
            name: "Default: the host's resolv.conf (last search line, options merged by name)",
            mutate: { $0.dnsPolicy = "Default" },
            expected: """
                nameserver 192.168.1.1
                nameserver 192.168.1.2
                search corp.example lab.example
                options timeout:1 attempts:3

                """),
        Case(
            name: "Default without --resolv-conf resolves nothing: 127.0.0.1 and search .",
            hostFile: nil, mutate: { $0.dnsPolicy = "Default" },
            expected: """
                nameserver 127.0.0.1
                search .

                """),
        Case(
            name: "ClusterFirst without --cluster-dns falls back to Default with a MissingClusterDNS warning",
            cluster: ClusterDNS(servers: [], domain: "cluster.local"),
            expected: """
                nameserver 192.168.1.1
                nameserver 192.168.1.2
                search corp.example lab.example
                options timeout:1 attempts:3

                """,
            events: [
                "MissingClusterDNS: pod: \"web_shop(uid-1)\". kubelet does not have ClusterDNS IP configured and cannot create Pod using \"ClusterFirst\" policy. Falling back to \"Default\" policy."
            ]),
        Case(
            name: "ClusterFirst without a cluster domain keeps the host's search domains only",
            cluster: ClusterDNS(servers: ["10.254.0.10"], domain: ""),
            expected: """
                nameserver 10.254.0.10
                search corp.example lab.example
                options ndots:5

                """),
        Case(
            name: "None: only the pod's dnsConfig, options as given",
            mutate: {
                $0.dnsPolicy = "None"
                $0.dnsConfig = PodDNSConfig(
                    nameservers: ["1.1.1.1"], searches: ["a.example", "b.example"],
                    options: [PodDNSConfigOption(name: "ndots", value: "2"), PodDNSConfigOption(name: "edns0")])
            },
            expected: """
                nameserver 1.1.1.1
                search a.example b.example
                options edns0 ndots:2

                """),
        Case(
            name: "ClusterFirst with dnsConfig: servers and searches appended without duplicates, options replaced by name",
            mutate: {
                $0.dnsConfig = PodDNSConfig(
                    nameservers: ["10.254.0.10", "8.8.8.8"], searches: ["cluster.local", "extra.example"],
                    options: [PodDNSConfigOption(name: "ndots", value: "1"), PodDNSConfigOption(name: "single-request-reopen")])
            },
            expected: """
                nameserver 10.254.0.10
                nameserver 8.8.8.8
                search shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example extra.example
                options ndots:1 single-request-reopen

                """),
        Case(
            name: "more than 3 name servers are cut to 3 with a DNSConfigForming warning",
            cluster: ClusterDNS(servers: ["10.0.0.1", "10.0.0.2", "10.0.0.3"], domain: "cluster.local"),
            mutate: { $0.dnsConfig = PodDNSConfig(nameservers: ["10.0.0.4"]) },
            expected: """
                nameserver 10.0.0.1
                nameserver 10.0.0.2
                nameserver 10.0.0.3
                search shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example
                options ndots:5

                """,
            events: [
                "DNSConfigForming: Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 10.0.0.1 10.0.0.2 10.0.0.3"
            ]),
    ]

    @Test("the resolv.conf of each policy", arguments: cases)
    func plans(_ testCase: Case) {
        var spec = PodSpec(containers: [Container(name: "app", image: "busybox")], dnsPolicy: "ClusterFirst")
        testCase.mutate(&spec)
        let pod = Pod(metadata: ObjectMeta(name: "web", namespace: "shop", uid: "uid-1"), spec: spec)
        let plan = PodDNSPlanner(cluster: testCase.cluster).plan(pod: pod, hostResolvConf: testCase.hostFile)
        #expect(plan.resolvConf.rendered == testCase.expected)
        #expect(plan.events.map { "\($0.reason): \($0.message)" } == testCase.events)
        #expect(plan.events.allSatisfy { $0.kind == .warning })
    }

    @Test("search domains past 32 are dropped with a DNSConfigForming warning")
    func searchLimit() {
        let searches = (1...40).map { "d\($0).example" }
        let pod = Pod(
            metadata: ObjectMeta(name: "web", namespace: "shop", uid: "uid-1"),
            spec: PodSpec(containers: [], dnsPolicy: "None", dnsConfig: PodDNSConfig(nameservers: ["1.1.1.1"], searches: searches)))
        let plan = PodDNSPlanner(cluster: ClusterDNS()).plan(pod: pod, hostResolvConf: nil)
        #expect(plan.resolvConf.searches == Array(searches.prefix(32)))
        #expect(plan.events.map(\.reason) == ["DNSConfigForming"])
    }

    @Test("a resolv.conf is read as kubelet reads it: nameservers accumulate, the last search line wins, comments skipped")
    func parsing() {
        let conf = ResolvConf(parsing: "; comment\nnameserver 1.2.3.4\nsearch a b\nnameserver\nsearch c.\n  nameserver 5.6.7.8 \noptions rotate\n")
        #expect(conf == ResolvConf(nameservers: ["1.2.3.4", "5.6.7.8"], searches: ["c"], options: ["rotate"]))
    }

    @Test("a pod with dnsPolicy None and no nameserver is refused by validation, naming the field")
    func validation() {
        let pod = Pod(
            metadata: ObjectMeta(name: "web", namespace: "shop", uid: "uid-1"),
            spec: PodSpec(
                containers: [Container(name: "app", image: "busybox")], dnsPolicy: "None",
                dnsConfig: PodDNSConfig(nameservers: ["not-an-ip"])))
        let fields = pod.validationErrors().map(\.field)
        #expect(fields.contains("spec.dnsConfig.nameservers[0]"))
    }
}
