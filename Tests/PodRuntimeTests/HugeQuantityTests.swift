import DockerEngine
import Foundation
import KubeAPI
import Testing

@testable import PodRuntime

/// Quantities that parse but are too large for the arithmetic that turns them into cgroup
/// limits and downward API values (found by the fuzz target `quantity`, Tests/Fuzz): each
/// trapped the agent, which must instead give the bounded value.
@Suite("Quantities too large for the arithmetic")
struct HugeQuantityTests {
    let builder = ContainerConfigBuilder(
        nodeName: "node-a", nodeIP: "192.168.1.10", infraImage: "clc-node/pause:1", resolveSubPath: { "\($0)/\($1)" })

    func hostConfig(limits: [String: Quantity]? = nil, requests: [String: Quantity]? = nil, env: [EnvVar]? = nil) throws -> ContainerCreateConfig {
        let pod = Pod(
            metadata: ObjectMeta(name: "web", namespace: "default", uid: "uid-1"),
            spec: PodSpec(containers: [Container(name: "app", image: "redis", env: env, resources: ResourceRequirements(limits: limits, requests: requests))])
        ).withDefaults()
        return try builder.appContainer(
            pod: pod, index: 0, restartCount: 0, sandboxID: "infra-id", serviceEnvironment: [], volumeHostPaths: [:], podIP: "10.1.0.5"
        ).config
    }

    @Test(
        "a cpu of a hundred billion CPUs or more gives the kernel's most shares and the largest quota instead of an overflow",
        arguments: ["100G", "9e15", "9223372036854775807m"])
    func hugeCPU(cpu: String) throws {
        let host = try hostConfig(limits: ["cpu": Quantity(cpu)]).hostConfig
        #expect(host.cpuShares == 262_144)
        #expect(host.cpuPeriod == 100_000)
        #expect(host.cpuQuota == Int64.max)
    }

    @Test("shares stop at the kernel's maximum of 262144 as kubelet's MilliCPUToShares, and stay exact below it")
    func sharesBounds() {
        #expect(ContainerConfigBuilder.cpuShares(milliCPU: 0) == 2)
        #expect(ContainerConfigBuilder.cpuShares(milliCPU: 250) == 256)
        #expect(ContainerConfigBuilder.cpuShares(milliCPU: 256_000) == 262_144)
        #expect(ContainerConfigBuilder.cpuShares(milliCPU: 300_000) == 262_144)
        #expect(ContainerConfigBuilder.cpuQuota(milliCPU: 500) == 50_000)
        #expect(ContainerConfigBuilder.cpuQuota(milliCPU: 1) == 1000)
        #expect(ContainerConfigBuilder.cpuQuota(milliCPU: 92_233_720_368_547) == 9_223_372_036_854_700)
        #expect(ContainerConfigBuilder.cpuQuota(milliCPU: 92_233_720_368_548) == Int64.max)
    }

    @Test("a downward API value near the 64-bit limit divides without overflowing, rounding up")
    func downwardAPINearLimit() {
        let downward = DownwardAPI(nodeName: "node-a", nodeIP: nil, podIP: nil, allocatableMilliCPU: 4000, allocatableMemory: 8 << 30)
        let container = Container(
            name: "app", image: "redis", resources: ResourceRequirements(limits: ["memory": Quantity("7Ei"), "cpu": Quantity("9e15")]))
        #expect(downward.resourceValue(ResourceFieldSelector(resource: "limits.memory", divisor: Quantity("2Ei")), container: container) == "4")
        #expect(downward.resourceValue(ResourceFieldSelector(resource: "limits.memory", divisor: Quantity("1")), container: container) == "8070450532247928832")
        #expect(downward.resourceValue(ResourceFieldSelector(resource: "limits.cpu", divisor: Quantity("7e15")), container: container) == "2")
        #expect(downward.resourceValue(ResourceFieldSelector(resource: "limits.cpu", divisor: Quantity("1m")), container: container) == "9000000000000000000")
    }
}
