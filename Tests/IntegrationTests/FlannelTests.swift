import Foundation
import KubeAPI
import MasterDouble
import TestSupport
import Testing

/// Issue 10's end-to-end tests: two agents with flannel on, on two simulated nodes, one master
/// double, one real etcd 3.4. One harness per backend, each test a sequence of checks on it.
@Suite("Flannel on two simulated nodes with a real etcd", .serialized)
struct FlannelTests {
    @Test(
        "host-gw, config under v3: disjoint leases and subnet files; NetworkUnavailable False; pod to pod and to a ClusterIP across nodes; the guestbook split over the nodes through NodePort 30001 of each; routes follow another writer's lease; a restart keeps the subnet and every container; a lease deleted from outside is taken back; etcd down 60 s changes nothing, and the leases are renewed after"
    )
    func hostGateway() async throws {
        let config = #"{"Network": "10.5.0.0/16", "SubnetLen": 24, "Backend": {"Type": "host-gw"}}"#
        // Renewal 1439 min before the 24 h expiry: a minute after each (re)acquisition, so the
        // renewal after the etcd outage happens within the test.
        try await FlannelCluster.with(api: .v3, config: config, agentArguments: ["--subnet-lease-renew-margin", "1439"]) { cluster in
            try await Self.step("leases") { try await Self.checkLeases(cluster, network: "10.5.0.0/16", backend: "host-gw", mtu: "1500") }
            try await Self.step("node condition") { try await Self.checkNetworkAvailable(cluster) }
            try await Self.step("pod traffic") { try await Self.checkPodTraffic(cluster) }
            try await Self.step("guestbook") { try await Self.checkGuestbook(cluster) }
            try await Self.step("another writer's lease") {
                // ip lists the agent's routes with "proto 151" (flannel's number) before "onlink".
                try await Self.checkForeignLease(cluster, backend: "host-gw") { cluster, lease in
                    try await cluster.nodes.exec("a", ["ip", "route", "show", lease.subnet])
                } present: { listing, lease in
                    listing.hasPrefix("\(lease.subnet) via \(lease.publicIP) dev eth0 ")
                }
            }
            try await Self.step("restart") { try await Self.checkRestart(cluster, node: "a") }
            try await Self.step("lease deleted") { try await Self.checkLeaseTakenBack(cluster, node: "b") }
            try await Self.step("etcd outage") { try await Self.checkEtcdOutage(cluster, seconds: 60, renewal: true) }
        }
    }

    @Test(
        "vxlan, config under v2 found by --etcd-api auto: disjoint leases with VtepMACs; NetworkUnavailable False; pod to pod and to a ClusterIP across nodes; the guestbook split over the nodes through NodePort 30001 of each; route, neighbour and FDB entries follow another writer's lease; a restart keeps the subnet, the VtepMAC and every container; a lease deleted from outside is taken back"
    )
    func vxlan() async throws {
        let config = #"{"Network": "10.6.0.0/16", "Backend": {"Type": "vxlan"}}"#
        try await FlannelCluster.with(api: .v2, apiFlag: "auto", config: config) { cluster in
            try await Self.step("leases") { try await Self.checkLeases(cluster, network: "10.6.0.0/16", backend: "vxlan", mtu: "1450") }
            for node in ["a", "b"] {
                // The device comes a few milliseconds after the lease the step above waited for.
                try await eventually("flannel.1 on node \(node)", timeout: .seconds(20)) {
                    (try? await cluster.nodes.exec(node, ["ip", "link", "show", "flannel.1"])) != nil
                }
                let link = try await cluster.nodes.exec(node, ["ip", "-d", "link", "show", "flannel.1"])
                #expect(link.contains("vxlan id 1 local \(cluster.nodes[node].address) dev eth0"), "node \(node): \(link)")
                #expect(link.contains("dstport 8472") && link.contains("nolearning"), "node \(node): \(link)")
            }
            try await Self.step("node condition") { try await Self.checkNetworkAvailable(cluster) }
            try await Self.step("pod traffic") { try await Self.checkPodTraffic(cluster) }
            try await Self.step("guestbook") { try await Self.checkGuestbook(cluster) }
            try await Self.step("another writer's lease") {
                try await Self.checkForeignLease(cluster, backend: "vxlan") { cluster, lease in
                    let routes = try await cluster.nodes.exec("a", ["ip", "route", "show", lease.subnet])
                    let neighbours = try await cluster.nodes.exec("a", ["ip", "neigh", "show", "dev", "flannel.1"])
                    let fdb = try await cluster.nodes.exec("a", ["bridge", "fdb", "show", "dev", "flannel.1"])
                    return routes + neighbours.split(separator: "\n").filter { $0.contains(lease.vtepMAC!) }.joined(separator: "\n")
                        + "\n" + fdb.split(separator: "\n").filter { $0.contains(lease.vtepMAC!) }.joined(separator: "\n")
                } present: { listing, lease in
                    let gateway = lease.subnet.replacingOccurrences(of: "/24", with: "")
                    return listing.contains("\(lease.subnet) via \(gateway) dev flannel.1 ") && listing.contains(" onlink")
                        && listing.contains("\(gateway) lladdr \(lease.vtepMAC!) PERMANENT")
                        && listing.contains("\(lease.vtepMAC!) dst \(lease.publicIP) self permanent")
                }
            }
            try await Self.step("restart") { try await Self.checkRestart(cluster, node: "b") }
            try await Self.step("lease deleted") { try await Self.checkLeaseTakenBack(cluster, node: "a") }
        }
    }

    @Test(
        "config absent, then invalid, then one free subnet: both nodes say NetworkUnavailable with the key, then the field; then two agents race for the subnet: one holds it, the other names \"out of subnets\" and keeps running"
    )
    func configAndRace() async throws {
        try await FlannelCluster.with(api: .v3, config: nil) { cluster in
            try await Self.step("config absent") {
                try await eventually("both nodes NetworkUnavailable for want of the config", timeout: .seconds(30)) {
                    ["a", "b"].allSatisfy { cluster.networkCondition($0)?.reason == "FlannelConfigMissing" }
                }
                for node in ["a", "b"] {
                    let condition = try #require(cluster.networkCondition(node))
                    print("flannel: node \(node) NetworkUnavailable \(condition.status), reason \(condition.reason): \(condition.message)")
                    #expect(condition.status == "True")
                    #expect(condition.message.contains("/coreos.com/network/config does not exist under the"), "\(condition.message)")
                    #expect(cluster.agents[node]!.log.contains("waiting for the flannel network config: /coreos.com/network/config"))
                }
            }
            try await Self.step("config invalid") {
                try await cluster.writeConfig(#"{"Network": "10.7.0.0/16", "Backend": {"Type": "udp"}}"#)
                try await eventually("both nodes NetworkUnavailable for an invalid config", timeout: .seconds(40)) {
                    ["a", "b"].allSatisfy { cluster.networkCondition($0)?.reason == "FlannelConfigInvalid" }
                }
                for node in ["a", "b"] {
                    let condition = try #require(cluster.networkCondition(node))
                    print("flannel: node \(node) NetworkUnavailable \(condition.status), reason \(condition.reason): \(condition.message)")
                    #expect(condition.status == "True")
                    #expect(condition.message.contains("udp"), "the message names the backend type: \(condition.message)")
                    #expect(cluster.agents[node]!.isRunning)
                }
            }
            try await Self.step("race for one subnet") {
                try await cluster.writeConfig(
                    #"{"Network": "10.7.0.0/16", "SubnetMin": "10.7.9.0", "SubnetMax": "10.7.9.0", "Backend": {"Type": "host-gw"}}"#)
                try await eventually("one node holding the lease, the other out of subnets", timeout: .seconds(60), poll: .milliseconds(500)) {
                    let reasons = Set(["a", "b"].compactMap { cluster.networkCondition($0)?.reason })
                    return reasons == ["FlannelIsUp", "NoFlannelLease"]
                        && ["a", "b"].contains { cluster.networkCondition($0)?.message.contains("out of subnets") == true }
                }
                let leases = try await cluster.leases()
                #expect(leases.keys.sorted() == ["10.7.9.0/24"])
                let winner = try #require(["a", "b"].first { cluster.networkCondition($0)?.reason == "FlannelIsUp" })
                let loser = winner == "a" ? "b" : "a"
                #expect(leases["10.7.9.0/24"]?.publicIP == cluster.nodes[winner].address)
                #expect(cluster.subnetFile(winner)["FLANNEL_SUBNET"] == "10.7.9.1/24")
                #expect(cluster.subnetFile(loser).isEmpty, "the loser wrote no subnet file")
                let condition = try #require(cluster.networkCondition(loser))
                print("flannel: node \(loser) lost the race: NetworkUnavailable \(condition.status), \(condition.reason): \(condition.message)")
                #expect(condition.status == "True")
                #expect(cluster.agents[loser]!.isRunning, "out of subnets never stops the agent")
            }
        }
    }

    // MARK: Steps

    /// Runs one step and prints how long it took, so a run's output says where the time goes.
    static func step(_ name: String, _ body: () async throws -> Void) async throws {
        let clock = ContinuousClock()
        let started = clock.now
        do {
            try await body()
        } catch {
            print("flannel: step \(name) failed after \(clock.now - started): \(error)")
            throw error
        }
        print("flannel: step \(name) took \(clock.now - started)")
    }

    /// Both agents hold a lease inside the network, on distinct subnets, with their underlay
    /// address as PublicIP, and wrote flannel's subnet file and mk-docker-opts.sh's options.
    static func checkLeases(_ cluster: FlannelCluster, network: String, backend: String, mtu: String) async throws {
        let waited = try await eventually("a lease for each node in etcd", timeout: .seconds(60)) {
            let leases = try await cluster.leases().values.map(\.publicIP)
            return leases.contains(cluster.nodes["a"].address) && leases.contains(cluster.nodes["b"].address)
        }
        print("flannel: both leases in etcd \(waited) after the check began")
        let a = try #require(try await cluster.lease(of: "a"))
        let b = try #require(try await cluster.lease(of: "b"))
        #expect(a.subnet != b.subnet, "disjoint subnets")
        let networkPrefix = network.split(separator: ".").prefix(2).joined(separator: ".") + "."
        for lease in [a, b] {
            #expect(lease.subnet.hasPrefix(networkPrefix) && lease.subnet.hasSuffix("/24"), "\(lease.subnet) inside \(network)")
            #expect(lease.backendType == backend)
            if backend == "vxlan" { #expect(lease.vtepMAC?.count == 17, "a VtepMAC in BackendData: \(lease)") }
        }
        for (node, lease) in [("a", a), ("b", b)] {
            try await eventually("node \(node)'s subnet file", timeout: .seconds(30)) { !cluster.subnetFile(node).isEmpty }
            let gateway = lease.subnet.replacingOccurrences(of: ".0/24", with: ".1/24")
            #expect(
                cluster.subnetFile(node) == [
                    "FLANNEL_NETWORK": network, "FLANNEL_SUBNET": gateway, "FLANNEL_MTU": mtu, "FLANNEL_IPMASQ": "true",
                ], "node \(node)'s \(cluster.subnetFilePath(node))")
            let options = (try? String(contentsOfFile: cluster.dockerOptionsPath(node), encoding: .utf8)) ?? ""
            #expect(options.contains("DOCKER_NETWORK_OPTIONS=") && options.contains("--bip=\(gateway)") && options.contains("--mtu=\(mtu)"),
                    "node \(node)'s \(cluster.dockerOptionsPath(node)): \(options)")
        }
    }

    /// Both nodes report NetworkUnavailable False.
    static func checkNetworkAvailable(_ cluster: FlannelCluster) async throws {
        func condition(_ node: String) -> JSONValue? {
            cluster.master.node(cluster.names[node]!)?[path: ["status", "conditions"]]?.arrayValue?.first {
                $0["type"]?.stringValue == "NetworkUnavailable"
            }
        }
        try await eventually("NetworkUnavailable False on both nodes", timeout: .seconds(30)) {
            condition("a")?["status"]?.stringValue == "False" && condition("b")?["status"]?.stringValue == "False"
        }
        for node in ["a", "b"] {
            let reason = condition(node)?["reason"]?.stringValue ?? ""
            let message = condition(node)?["message"]?.stringValue ?? ""
            print("flannel: node \(node) NetworkUnavailable False, reason \(reason): \(message)")
            #expect(!reason.isEmpty && !message.isEmpty, "node \(node)'s condition has a reason and a message")
        }
    }

    /// A labelled busybox pod bound to a node.
    static func pod(_ name: String, node: String, script: String) -> Data {
        let escaped = script.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return Data("""
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "\(name)", "namespace": "default", "labels": {"app": "\(name)"}},
             "spec": {"nodeName": "\(node)", "terminationGracePeriodSeconds": 2,
                      "containers": [{"name": "app", "image": "clc-test/busybox:latest", "imagePullPolicy": "IfNotPresent",
                                      "command": ["sh", "-c", "\(escaped)"]}]}}
            """.utf8)
    }

    /// busybox httpd serving `hello from server` and, at /cgi-bin/peer, the client address it
    /// sees (REMOTE_ADDR).
    static let serverScript = "mkdir -p /www/cgi-bin && echo hello from server > /www/index.html"
        + " && printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho $REMOTE_ADDR\\n' > /www/cgi-bin/peer"
        + " && chmod +x /www/cgi-bin/peer && exec httpd -f -p 8080 -h /www"

    /// A client pod on A reaches a server pod on B by pod IP and through a ClusterIP whose
    /// only endpoint is that pod; pod IPs come from each node's lease.
    static func checkPodTraffic(_ cluster: FlannelCluster) async throws {
        let master = cluster.master
        _ = try master.apply(Data("""
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "server", "namespace": "default"},
             "spec": {"selector": {"app": "server"}, "ports": [{"port": 80, "targetPort": 8080}]}}
            """.utf8))
        _ = try master.apply(pod("client", node: cluster.names["a"]!, script: "trap 'exit 0' TERM; while true; do sleep 1; done"))
        _ = try master.apply(pod("server", node: cluster.names["b"]!, script: serverScript))
        let waited = try await eventually("client on A and server on B running", timeout: .seconds(90)) {
            cluster.runningPod("client") != nil && cluster.runningPod("server") != nil
        }
        print("flannel: client and server running \(waited) after they were created")
        let clientIP = try #require(cluster.runningPod("client")?.status?.podIP)
        let serverIP = try #require(cluster.runningPod("server")?.status?.podIP)
        let a = try #require(try await cluster.lease(of: "a"))
        let b = try #require(try await cluster.lease(of: "b"))
        #expect(clientIP.hasPrefix(a.subnet.replacingOccurrences(of: "0/24", with: "")), "the client's \(clientIP) is in A's \(a.subnet)")
        #expect(serverIP.hasPrefix(b.subnet.replacingOccurrences(of: "0/24", with: "")), "the server's \(serverIP) is in B's \(b.subnet)")

        let direct = try await cluster.fetchFromClient("http://\(serverIP):8080/")
        #expect(direct == "hello from server\n")
        // flannel's ip-masq leaves traffic between pods alone: the server sees the client's pod IP.
        let peer = try await cluster.fetchFromClient("http://\(serverIP):8080/cgi-bin/peer")
        #expect(Self.address(peer) == clientIP, "the server saw \(peer), not the client's pod IP")

        let clusterIP = try #require(master.object(kind: "services", name: "server")?[path: ["spec", "clusterIP"]]?.stringValue)
        try await eventually("the server as the service's endpoint", timeout: .seconds(30)) {
            master.endpoints(name: "server")?.subsets?.first?.addresses?.first?.ip == serverIP
        }
        // The proxy on A programs the service once the endpoints reach it.
        var answer = ""
        try await eventually("the service at \(clusterIP) answering from A's client", timeout: .seconds(20), poll: .seconds(1)) {
            answer = (try? await cluster.fetchFromClient("http://\(clusterIP):80/")) ?? ""
            return answer == "hello from server\n"
        }
        // The client is inside the cluster CIDR (the flannel network): not masqueraded either.
        let peerThroughService = try await cluster.fetchFromClient("http://\(clusterIP):80/cgi-bin/peer")
        #expect(Self.address(peerThroughService) == clientIP, "through the ClusterIP the server saw \(peerThroughService)")
    }

    /// The IPv4 address in busybox httpd's REMOTE_ADDR (`[::ffff:10.6.60.2]`, it listens on IPv6).
    static func address(_ remoteAddress: String) -> String {
        var text = remoteAddress.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("[::ffff:") && text.hasSuffix("]") { text = String(text.dropFirst(8).dropLast()) }
        return text
    }

    /// The guestbook with its frontends on A and redis (master and slaves) on B answers set and
    /// get through NodePort 30001 of either node's underlay address, from a client on the
    /// underlay.
    static func checkGuestbook(_ cluster: FlannelCluster) async throws {
        let master = cluster.master
        for file in ["redis-master-service.json", "redis-slave-service.json", "frontend-service.json"] {
            _ = try master.apply(try Data(contentsOf: URL(fileURLWithPath: TestEnvironment.guestbookDirectory + "/" + file)))
        }
        // Services first: the containers get their variables (REDIS_MASTER_SERVICE_HOST) at creation.
        try await Task.sleep(for: .seconds(2))
        for (file, node) in [
            ("redis-master-controller.json", "b"), ("redis-slave-controller.json", "b"), ("frontend-controller.json", "a"),
        ] {
            _ = try master.apply(try placed(file, on: cluster.names[node]!))
        }
        let started = ContinuousClock.now
        let wanted = ["redis-master": 1, "redis-slave": 2, "frontend": 3]
        try await eventually("the guestbook's six pods running and ready", timeout: .seconds(180), poll: .seconds(1)) {
            let pods = master.pods(namespace: "default").filter(FlannelCluster.isReady)
            return wanted.allSatisfy { name, count in pods.filter { $0.metadata.labels?["name"] == name }.count == count }
        }
        print("flannel: guestbook running \(ContinuousClock.now - started) after its controllers were created")
        for pod in master.pods(namespace: "default") where pod.metadata.labels?["name"] != nil {
            let expected = pod.metadata.labels?["name"] == "frontend" ? cluster.names["a"] : cluster.names["b"]
            #expect(pod.spec.nodeName == expected, "\(pod.metadata.name ?? "") on \(pod.spec.nodeName ?? "")")
        }
        let addressA = cluster.nodes["a"].address
        let addressB = cluster.nodes["b"].address
        for (setVia, getVia, value) in [(addressA, addressB, "from-a"), (addressB, addressA, "from-b")] {
            var reply = ""
            try await eventually("set through \(setVia):30001", timeout: .seconds(30), poll: .seconds(1)) {
                reply = (try? await cluster.curlFromClient("http://\(setVia):30001/guestbook.php?cmd=set&key=k&value=\(value)")) ?? ""
                return reply.contains(#""message": "Updated""#)
            }
            try await eventually("get of \(value) through \(getVia):30001", timeout: .seconds(30), poll: .seconds(1)) {
                reply = (try? await cluster.curlFromClient("http://\(getVia):30001/guestbook.php?cmd=get&key=k")) ?? ""
                return reply.contains(#""data": "\#(value)""#)
            }
        }
    }

    /// A guestbook controller whose pods are bound to `node` and use the local image.
    static func placed(_ file: String, on node: String) throws -> Data {
        let data = try Data(contentsOf: URL(fileURLWithPath: TestEnvironment.guestbookDirectory + "/" + file))
        guard var controller = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            var spec = controller["spec"] as? [String: Any], var template = spec["template"] as? [String: Any],
            var podSpec = template["spec"] as? [String: Any], var containers = podSpec["containers"] as? [[String: Any]]
        else { throw TestEnvironmentError("\(file) is not a ReplicationController with a pod template") }
        for index in containers.indices { containers[index]["imagePullPolicy"] = "IfNotPresent" }
        podSpec["containers"] = containers
        podSpec["nodeName"] = node
        podSpec["terminationGracePeriodSeconds"] = 2
        template["spec"] = podSpec
        spec["template"] = template
        controller["spec"] = spec
        return try JSONSerialization.data(withJSONObject: controller)
    }

    /// Another writer (flanneld on a third node) adds a lease: node A programs it within 10 s;
    /// it deletes the lease: node A removes what it programmed (`listing` becomes blank).
    /// - Parameters:
    ///   - listing: what node A's kernel lists for the lease (routes, neighbours, FDB entries).
    ///   - present: whether a listing shows the lease programmed.
    static func checkForeignLease(
        _ cluster: FlannelCluster, backend: String,
        listing: @escaping (FlannelCluster, FlannelCluster.Lease) async throws -> String,
        present: @escaping (String, FlannelCluster.Lease) -> Bool
    ) async throws {
        let taken = Set(try await cluster.leases().keys)
        let subnet = try #require((200..<250).map { "\(cluster.prefixOfNetwork(backend)).\($0).0/24" }.first { !taken.contains($0) })
        let lease = FlannelCluster.Lease(
            subnet: subnet, publicIP: "192.168.77.99", backendType: backend,
            vtepMAC: backend == "vxlan" ? "0a:cc:00:00:00:63" : nil)
        let backendData = lease.vtepMAC.map { #"{"VtepMAC": "\#($0)"}"# } ?? "null"
        let value = #"{"PublicIP": "\#(lease.publicIP)", "BackendType": "\#(backend)", "BackendData": \#(backendData)}"#
        try await cluster.etcd.put(cluster.api, cluster.leaseKey(subnet), value)
        var last = ""
        do {
            let added = try await eventually("node A programming the lease of \(subnet)", timeout: .seconds(10), poll: .milliseconds(100)) {
                last = try await listing(cluster, lease)
                return present(last, lease)
            }
            print("flannel: another writer's lease \(subnet) programmed on A \(added) after it was written:\n\(last)")
            try await cluster.etcd.delete(cluster.api, cluster.leaseKey(subnet))
            let removed = try await eventually("node A removing the lease of \(subnet)", timeout: .seconds(10), poll: .milliseconds(100)) {
                last = try await listing(cluster, lease)
                return last.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            }
            print("flannel: another writer's lease \(subnet) removed on A \(removed) after it was deleted")
        } catch {
            print("flannel: node A lists for \(subnet):\n\(last)")
            throw error
        }
    }

    /// SIGKILL and restart: the agent keeps its subnet (file and lease) and replaces no container.
    static func checkRestart(_ cluster: FlannelCluster, node: String) async throws {
        let lease = try #require(try await cluster.lease(of: node))
        let file = cluster.subnetFile(node)
        let containers = try await cluster.containerIDs(node)
        let logLength = cluster.agents[node]!.log.count
        try cluster.restartAgent(node)
        try await eventually("node \(node)'s restarted agent adopting its pod network", timeout: .seconds(30)) {
            String(cluster.agents[node]!.log.dropFirst(logLength)).contains("adopting pod network")
        }
        // A few syncs of every pod after the adoption.
        try await Task.sleep(for: .seconds(5))
        #expect(cluster.agents[node]!.isRunning)
        #expect(try await cluster.lease(of: node) == lease, "the same lease in etcd (subnet, backend data)")
        #expect(cluster.subnetFile(node) == file, "the same subnet file")
        #expect(try await cluster.containerIDs(node) == containers, "no container replaced or added")
        let serverIP = cluster.runningPod("server")?.status?.podIP ?? ""
        #expect(try await cluster.fetchFromClient("http://\(serverIP):8080/") == "hello from server\n")
    }

    /// The lease deleted in etcd by someone else comes back, on the same subnet.
    static func checkLeaseTakenBack(_ cluster: FlannelCluster, node: String) async throws {
        let lease = try #require(try await cluster.lease(of: node))
        let key = cluster.leaseKey(lease.subnet)
        let created = try #require(try await cluster.etcd.createdRevision(cluster.api, key))
        try await cluster.etcd.delete(cluster.api, key)
        // The agent may take it back before a read here sees it gone: a later creation tells.
        let waited = try await eventually("node \(node)'s lease back in etcd", timeout: .seconds(60), poll: .milliseconds(50)) {
            try await (cluster.etcd.createdRevision(cluster.api, key) ?? 0) > created
        }
        print("flannel: node \(node)'s deleted lease back \(waited) after the deletion")
        #expect(try await cluster.lease(of: node)?.subnet == lease.subnet, "the same subnet")
        #expect(cluster.agents[node]!.isRunning, "the agent never exits because of it")
    }

    /// etcd down for `seconds`: every agent keeps running, its routes and pods; after, both
    /// leases are there on the same subnets (and renewed).
    /// - Parameter renewal: whether the agents renew within a few minutes (a renew margin
    ///   close to 24 h), so that the renewal after the outage can be seen.
    static func checkEtcdOutage(_ cluster: FlannelCluster, seconds: Int, renewal: Bool) async throws {
        let leases = try await cluster.leases()
        var routes: [String: String] = [:]
        var containers: [String: [String]] = [:]
        for node in ["a", "b"] {
            routes[node] = try await cluster.nodes.exec(node, ["ip", "route", "show"])
            containers[node] = try await cluster.containerIDs(node)
        }
        let serverIP = try #require(cluster.runningPod("server")?.status?.podIP)
        try await cluster.etcd.halt()
        let clock = ContinuousClock()
        let down = clock.now
        while clock.now - down < .seconds(seconds) {
            try await Task.sleep(for: .seconds(10))
            for node in ["a", "b"] {
                #expect(cluster.agents[node]!.isRunning, "node \(node)'s agent runs while etcd is down")
                #expect(try await cluster.nodes.exec(node, ["ip", "route", "show"]) == routes[node], "node \(node)'s routes")
            }
            #expect(
                try await cluster.fetchFromClient("http://\(serverIP):8080/") == "hello from server\n",
                "pod to pod while etcd is down")
        }
        let logLengths = ["a", "b"].map { cluster.agents[$0]!.log.count }
        try await cluster.etcd.resume()
        let resumed = clock.now
        for node in ["a", "b"] {
            #expect(try await cluster.containerIDs(node) == containers[node], "node \(node)'s containers")
        }
        try await eventually("both leases in etcd after the outage", timeout: .seconds(30)) {
            let leases = try await cluster.leases().values.map(\.publicIP)
            return leases.contains(cluster.nodes["a"].address) && leases.contains(cluster.nodes["b"].address)
        }
        #expect(try await cluster.leases().keys.sorted() == leases.keys.sorted(), "the same leases")
        if renewal {
            // Renewed after etcd came back: each agent says so, and the lease's TTL is 24 h
            // from then. (The TTL alone proves nothing under v3: a restarted etcd extends
            // every lease by its full TTL when it becomes leader.)
            let renewed = try await eventually("both agents renewing their lease after the outage", timeout: .seconds(150), poll: .seconds(1)) {
                zip(["a", "b"], logLengths).allSatisfy { node, length in
                    cluster.agents[node]!.log.dropFirst(length).contains("lease renewed")
                }
            }
            print("flannel: both leases renewed \(renewed) after etcd was back")
            for (node, lease) in leases.values.map({ ($0.publicIP, $0) }) {
                let ttl = try await cluster.etcd.ttl(cluster.api, cluster.leaseKey(lease.subnet)) ?? 0
                let since = Int((clock.now - resumed).components.seconds)
                #expect(ttl >= 24 * 3600 - since - 2, "the lease of \(node) expires 24 h after its renewal: TTL \(ttl)")
            }
            for node in ["a", "b"] {
                let failures = cluster.agents[node]!.log.components(separatedBy: "cannot renew the lease").count - 1
                print("flannel: node \(node)'s agent logged \(failures) failed renewal(s) during the outage")
            }
        }
        #expect(try await cluster.fetchFromClient("http://\(serverIP):8080/") == "hello from server\n")
    }
}

extension FlannelCluster {
    /// The first two octets of the test's network (10.5 for host-gw, 10.6 for vxlan).
    func prefixOfNetwork(_ backend: String) -> String { backend == "vxlan" ? "10.6" : "10.5" }
}
