import Foundation
import KubeAPI
import MasterDouble
import TestSupport
import Testing

/// The agent against a master of today: HTTPS with the double's CA, a kubeconfig with a client
/// certificate, and the service proxy fed from EndpointSlices; and against the seed's master
/// (no discovery.k8s.io), where the proxy reads v1 Endpoints. The agent runs on a simulated
/// node (its own network namespace and dockerd: scripts/netns-nodes.sh), so its nftables
/// proxy programs only that namespace.
@Suite("The agent against an HTTPS master with a kubeconfig", .serialized)
struct SecureMasterTests {
    @Test(
        "over HTTPS with a client certificate the redis master runs and its service answers through the proxy",
        arguments: [true, false])
    func redisThroughTheProxy(servesEndpointSlices: Bool) async throws {
        let nodes = try await SimulatedNodes.up(["a"])
        var agent: AgentProcess?
        var secure: SecureMasterDouble?
        let manifests = try TestEnvironment.temporaryDirectory("clc-manifests")
        do {
            let master = try MasterDouble(host: nodes.rootAddress)
            master.servesEndpointSlices = servesEndpointSlices
            let front = try SecureMasterDouble(master: master)
            secure = front
            try front.start()
            let nodeName = "secure-\(nodes.run)"
            let (certificate, key) = try front.writeClientCertificate(user: "system:node:\(nodeName)", groups: ["system:nodes"])
            let kubeconfig = front.directory + "/kubeconfig"
            try """
                apiVersion: v1
                kind: Config
                clusters:
                - name: double
                  cluster: {server: "\(front.url)", certificate-authority: "\(front.caFile)"}
                users:
                - name: node
                  user: {client-certificate: "\(certificate)", client-key: "\(key)"}
                contexts:
                - name: node
                  context: {cluster: double, user: node}
                current-context: node
                """.write(toFile: kubeconfig, atomically: true, encoding: .utf8)
            agent = try nodes.startAgent(
                on: "a", nodeName: nodeName, manifests: manifests,
                arguments: ["--kubeconfig", kubeconfig, "--node-status-interval", "1", "--proxy-mode", "nftables"])

            for file in ["redis-master-controller.json", "redis-master-service.json"] {
                _ = try master.apply(Data(contentsOf: URL(fileURLWithPath: TestEnvironment.guestbookDirectory + "/" + file)))
            }
            try await eventually("the redis master Running and Ready on the node", timeout: .seconds(90)) {
                master.pods().contains { pod in
                    pod.spec.nodeName == nodeName && pod.status?.phase == "Running"
                        && pod.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true
                }
            }
            let source = servesEndpointSlices ? "EndpointSlices (discovery.k8s.io/v1)" : "v1 Endpoints"
            #expect(agent!.log.contains("service proxy endpoints from \(source)"))
            if servesEndpointSlices {
                try await eventually("the pod ready in the service's EndpointSlice") {
                    master.endpointSlices(service: "redis-master").flatMap(\.endpoints).contains { $0.conditions?.ready == true }
                }
            }
            let clusterIP = try #require(
                master.object(kind: "services", name: "redis-master")?[path: ["spec", "clusterIP"]]?.stringValue)
            // A simulated node has no default route: give the service range one, as a node's
            // default route does, so that the node's own connections reach the nat output hook.
            try await nodes.exec("a", ["ip", "route", "replace", "10.254.0.0/16", "dev", "eth0"])
            var answer = ""
            try await eventually("redis answering PING at \(clusterIP):6379 on the node", timeout: .seconds(30), poll: .seconds(1)) {
                answer = (try? await nodes.exec("a", [
                    "/bin/bash", "-c",
                    "exec 3<>/dev/tcp/\(clusterIP)/6379 && printf 'PING\\r\\n' >&3 && timeout 5 head -c 7 <&3",
                ])) ?? ""
                return answer.hasPrefix("+PONG")
            }
            let counts = master.requestCounts()
            let slices = counts.filter { $0.key.resource == "endpointslices" }.values.reduce(0, +)
            let endpoints = counts.filter { $0.key.resource == "endpoints" }.values.reduce(0, +)
            if servesEndpointSlices {
                #expect(slices > 0 && endpoints == 0, "the agent read slices \(slices) times and Endpoints \(endpoints) times")
            } else {
                #expect(slices == 0 && endpoints > 0, "the agent read slices \(slices) times and Endpoints \(endpoints) times")
            }
            #expect(!master.requests().contains { $0.status == 401 }, "every request of the agent authenticated")
        } catch {
            if let agent { print("--- agent log (\(agent.logPath)):\n\(agent.log.suffix(6000))") }
            agent?.cleanUp()
            secure?.stop()
            await nodes.down()
            try? FileManager.default.removeItem(atPath: manifests)
            throw error
        }
        if let agent, !agent.isRunning { print("--- agent exited:\n\(agent.log.suffix(6000))") }
        agent?.cleanUp()
        secure?.stop()
        await nodes.down()
        try? FileManager.default.removeItem(atPath: manifests)
    }
}
