import DockerEngine
import Foundation
import Logging
import NodeStats
import PodRuntime
import TestSupport
import Testing

/// Against the test dockerd (`CLC_TEST_DOCKER_SOCKET`) and this host's real cgroups: a pod of an
/// infra container and a busy app container with a memory limit, found through the agent's labels.
@Suite("Stats of real containers", .serialized)
struct RealContainerTests {
    @Test("a container with a memory limit shows usage and availableBytes, a busy loop shows usageNanoCores > 0, the pod its eth0")
    func busyContainerWithLimit() async throws {
        let docker = try TestDocker()
        let node = "stats-\(UUID().uuidString.prefix(8).lowercased())"
        do {
            try await checkBusyPod(docker: docker, node: node)
        } catch {
            await docker.removeAll(node: node)
            throw error
        }
        await docker.removeAll(node: node)
    }

    private func checkBusyPod(docker: TestDocker, node: String) async throws {
        let uid = UUID().uuidString.lowercased()
        func labels(_ container: String, _ type: String) -> [String: String] {
            [
                ContainerLabels.node: node, ContainerLabels.podUID: uid, ContainerLabels.podName: "busy",
                ContainerLabels.podNamespace: "default", ContainerLabels.containerName: container, ContainerLabels.dockerType: type,
            ]
        }
        let infra = try await docker.client.createContainer(
            name: "k8s_POD_busy_\(node)",
            config: ContainerCreateConfig(
                image: "clc-test/busybox", cmd: ["sleep", "3600"], labels: labels(ContainerLabels.infraContainerName, ContainerLabels.sandboxType)))
        try await docker.client.startContainer(id: infra)
        let limit: Int64 = 64 * 1024 * 1024
        let app = try await docker.client.createContainer(
            name: "k8s_spin_busy_\(node)",
            config: ContainerCreateConfig(
                image: "clc-test/busybox", cmd: ["sh", "-c", "while :; do :; done"], labels: labels("spin", ContainerLabels.containerType),
                hostConfig: .init(networkMode: "container:\(infra)", memory: limit, memorySwap: limit)))
        try await docker.client.startContainer(id: app)

        let sampler = StatsSampler(
            configuration: .init(nodeName: node), inventory: DockerContainerInventory(engine: docker.client, nodeName: node),
            logger: Logger(label: "test"))
        await sampler.sampleOnce()
        // Real CPU time has to pass between two samples of a real cgroup.
        try await Task.sleep(for: .milliseconds(500))
        await sampler.sampleOnce()

        let summary = SummaryBuilder.summary(try #require(sampler.store.snapshot))
        let pod = try #require(summary.pods.first { $0.podRef.uid == uid })
        #expect(pod.podRef.name == "busy")
        let spin = try #require(pod.containers.first { $0.name == "spin" })
        let cpu = try #require(spin.cpu)
        #expect((cpu.usageNanoCores ?? 0) > 10_000_000, "a busy loop uses more than 1 % of a core: \(cpu)")
        let memory = try #require(spin.memory)
        #expect((memory.usageBytes ?? 0) > 0)
        let available = try #require(memory.availableBytes)
        #expect(available > 0 && available <= UInt64(limit))
        #expect(pod.network?.interfaces?.map(\.name) == ["eth0"])
        #expect(summary.node.cpu?.usageNanoCores != nil)
        #expect((summary.node.memory?.workingSetBytes ?? 0) > 0)

        let text = String(decoding: CadvisorMetrics.render(try #require(sampler.store.snapshot)), as: UTF8.self)
        #expect(text.contains(#"container_spec_memory_limit_bytes{container="spin",id="#))
        #expect(text.contains(#"name="k8s_spin_busy_\#(node)",namespace="default",pod="busy"} \#(limit) "#))
    }
}
