import Foundation
import Logging
import Testing

@testable import NodeStats

@Suite("Sampling the node and its containers")
struct StatsSamplerTests {
    let start = Date(timeIntervalSince1970: 1_764_900_000)

    func makeNode() -> (FakeFileSystem, FakeInventory, ManualTime, StatsSampler) {
        let fs = FakeFileSystem.v1Node()
        fs.addV1Container(id: "infra1", pid: 100)
        fs.addV1Container(id: "app1", pid: 101)
        fs["/proc/100/net/dev"] = Fixture.netDev
        fs["/var/lib/docker/containers/app1/app1-json.log"] = String(repeating: "x", count: 1234)
        let inventory = FakeInventory([
            .fake(id: "app1", container: "app", pid: 101), .fake(id: "infra1", container: "POD", infra: true, pid: 100),
        ])
        let time = ManualTime(start)
        let sampler = StatsSampler(
            configuration: .init(nodeName: "node-1"), inventory: inventory, fileSystem: fs, now: { time.now },
            logger: Logger(label: "test"))
        return (fs, inventory, time, sampler)
    }

    @Test("the first pass has usage but no rate; the second has usageNanoCores from the difference over the elapsed time")
    func rateBetweenTwoSamples() async throws {
        let (fs, _, time, sampler) = makeNode()
        await sampler.sampleOnce()
        var summary = SummaryBuilder.summary(try #require(sampler.store.snapshot))
        #expect(summary.pods.first?.containers.first?.cpu?.usageCoreNanoSeconds == 2_500_000_000)
        #expect(summary.pods.first?.containers.first?.cpu?.usageNanoCores == nil)

        fs["/sys/fs/cgroup/cpuacct/docker/app1/cpuacct.usage"] = "3000000000\n"  // +0.5 s of CPU
        fs["/sys/fs/cgroup/cpuacct/cpuacct.usage"] = "920000000000\n"  // +20 s over the node's cores
        time.advance(by: 10)
        await sampler.sampleOnce()
        summary = SummaryBuilder.summary(try #require(sampler.store.snapshot))
        #expect(summary.pods.first?.containers.first?.cpu?.usageNanoCores == 50_000_000)
        #expect(summary.pods.first?.cpu?.usageNanoCores == 50_000_000)  // the infra container used nothing
        #expect(summary.node.cpu?.usageNanoCores == 2_000_000_000)
    }

    @Test("a container keeps its two newest samples only")
    func twoSamples() async throws {
        let (_, _, time, sampler) = makeNode()
        for _ in 0..<3 {
            await sampler.sampleOnce()
            time.advance(by: 10)
        }
        let app = try #require(sampler.store.snapshot?.containers.first { $0.container.id == "app1" })
        #expect(app.samples.latest.time == start + 20)
        #expect(app.samples.previous?.time == start + 10)
        #expect(sampler.store.snapshot?.generation == 3)
    }

    @Test("the infra container comes first, carries the pod's network, and app containers do not")
    func infraNetwork() async throws {
        let (_, _, _, sampler) = makeNode()
        await sampler.sampleOnce()
        let containers = try #require(sampler.store.snapshot?.containers)
        #expect(containers.map(\.container.id) == ["infra1", "app1"])
        #expect(containers[0].samples.latest.network?.map(\.name) == ["eth0"])
        #expect(containers[1].samples.latest.network == nil)
        #expect(containers[1].samples.latest.logBytes == 1234)
        #expect(containers[1].cgroupName == "/docker/app1")
    }

    @Test("a container that stopped leaves the next snapshot, and one whose cgroup vanished is left out")
    func containersLeave() async throws {
        let (fs, inventory, _, sampler) = makeNode()
        await sampler.sampleOnce()
        inventory.containers.withLock { $0.removeAll { $0.id == "app1" } }
        await sampler.sampleOnce()
        #expect(sampler.store.snapshot?.containers.map(\.container.id) == ["infra1"])

        inventory.containers.withLock { $0.append(.fake(id: "gone", container: "gone", pid: 555)) }
        fs.addV1Container(id: "gone", pid: 555)
        fs.removeV1Container(id: "gone")
        await sampler.sampleOnce()
        #expect(sampler.store.snapshot?.containers.map(\.container.id) == ["infra1"])
    }

    @Test("when the inventory fails the node is still sampled and no container is shown stale")
    func inventoryFails() async throws {
        let (_, inventory, _, sampler) = makeNode()
        await sampler.sampleOnce()
        inventory.failing.withLock { $0 = true }
        await sampler.sampleOnce()
        let snapshot = try #require(sampler.store.snapshot)
        #expect(snapshot.containers.isEmpty)
        #expect(snapshot.node.latest.memory?.usageBytes == 6_000_000 * 1024)
    }

    @Test("the node's page faults come from /proc/vmstat")
    func nodePageFaults() async throws {
        let (_, _, _, sampler) = makeNode()
        await sampler.sampleOnce()
        let memory = try #require(sampler.store.snapshot?.node.latest.memory)
        #expect(memory.pageFaults == 5000)
        #expect(memory.majorPageFaults == 9)
    }

    @Test("run() samples once per interval of the injected clock and stops when cancelled")
    func runLoop() async throws {
        let (_, _, _, _) = makeNode()
        let fs = FakeFileSystem.v1Node()
        let clock = StepClock()
        let sampler = StatsSampler(
            configuration: .init(nodeName: "n", interval: .seconds(10)), inventory: FakeInventory([]), fileSystem: fs, clock: clock,
            logger: Logger(label: "test"))
        let task = Task { try await sampler.run() }
        try await clock.waitForSleepers(1)
        #expect(sampler.store.snapshot?.generation == 1)
        clock.advance(by: .seconds(10))
        try await clock.waitForSleepers(1, after: 1)
        #expect(sampler.store.snapshot?.generation == 2)
        task.cancel()
        _ = try? await task.value
    }
}
