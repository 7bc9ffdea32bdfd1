import DockerEngine
import Foundation
import Testing

@testable import PodRuntime

/// An ``ImagePuller`` over the fake engine and a hand-moved clock.
private struct Harness {
    let clock = TestClock(TestFixtures.epoch)
    let engine: FakeDockerEngine
    let puller: ImagePuller

    init(pullError: String? = nil) {
        engine = FakeDockerEngine(clock: clock, pullError: pullError)
        let clock = clock
        puller = ImagePuller(engine: engine, logger: TestFixtures.logger, now: { clock.now })
    }

    /// Waits (yielding, no sleep) until `count` callers share the pull of `reference`.
    func waitForSharers(_ count: Int, of reference: String) async {
        while await puller.sharers(of: reference) < count || engine.heldPullCount < 1 { await Task.yield() }
    }
}

@Suite("Pulling images once per reference, and not from a registry that did not answer")
struct ImagePullerTests {
    @Test("three containers wanting one image while it is pulled share that one pull and its result")
    func concurrentPullsShareOne() async throws {
        let harness = Harness()
        harness.engine.holdPulls()
        async let first = harness.puller.pull("kubernetes/example-guestbook-php-redis")
        async let second = harness.puller.pull("kubernetes/example-guestbook-php-redis")
        async let third = harness.puller.pull("kubernetes/example-guestbook-php-redis")
        await harness.waitForSharers(3, of: "kubernetes/example-guestbook-php-redis")
        #expect(harness.engine.pullCount() == 1)
        harness.engine.releasePulls()
        #expect(await [first, second, third] == [.pulled, .pulled, .pulled])
        #expect(harness.engine.pullCount() == 1)
        #expect(await harness.puller.sharers(of: "kubernetes/example-guestbook-php-redis") == 0)

        _ = await harness.puller.pull("kubernetes/example-guestbook-php-redis")
        #expect(harness.engine.pullCount() == 2, "a pull after the shared one ended asks the engine again")
    }

    @Test("pulls waiting on a registry that times out all get the one outage it found, without pulling")
    func sharedTimeOut() async throws {
        let harness = Harness(pullError: FakeDockerEngine.registryLookupTimedOut)
        harness.engine.holdProbes()
        async let first = harness.puller.pull("redis")
        async let second = harness.puller.pull("redis")
        async let third = harness.puller.pull("kubernetes/redis-slave")
        while await harness.puller.waitingForProbe(of: "docker.io") < 3 || harness.engine.heldProbeCount < 1 { await Task.yield() }
        harness.engine.releaseProbes()
        let results = await [first, second, third]
        guard case .unreachable(let outage, attempted: true) = results[0] else {
            Issue.record("expected an outage, got \(results[0])")
            return
        }
        #expect(results[1] == results[0])
        #expect(results[2] == results[0])
        #expect(outage.host == "docker.io")
        #expect(outage.failure == .nameResolutionTimedOut)
        #expect(outage.detail == FakeDockerEngine.registryLookupTimedOut)
        #expect(outage.window == .seconds(60))
        #expect(harness.engine.registryCalls() == 1, "one question, no pull")
    }

    @Test("pulls of different images from a host not known to answer wait for one question to it, then run side by side")
    func firstPullsWaitForOneQuestion() async throws {
        let harness = Harness()
        harness.engine.holdProbes()
        async let redis = harness.puller.pull("redis")
        async let slave = harness.puller.pull("kubernetes/redis-slave")
        async let frontend = harness.puller.pull("kubernetes/example-guestbook-php-redis")
        while await harness.puller.waitingForProbe(of: "docker.io") < 3 || harness.engine.heldProbeCount < 1 { await Task.yield() }
        #expect(harness.engine.probeCount() == 1)
        #expect(harness.engine.pullCount() == 0)
        harness.engine.releaseProbes()
        #expect(await [redis, slave, frontend] == [.pulled, .pulled, .pulled])
        #expect(harness.engine.pullCount() == 3)

        _ = await harness.puller.pull("redis:7")
        #expect(harness.engine.probeCount() == 1, "a host that answered is pulled from without asking first")
    }

    @Test("different images are pulled side by side")
    func differentImagesDoNotWait() async throws {
        let harness = Harness()
        harness.engine.holdPulls()
        async let redis = harness.puller.pull("redis")
        async let slave = harness.puller.pull("kubernetes/redis-slave")
        while harness.engine.heldPullCount < 2 { await Task.yield() }
        #expect(harness.engine.pullCount() == 2)
        harness.engine.releasePulls()
        #expect(await [redis, slave] == [.pulled, .pulled])
    }

    @Test("a host that did not answer is not asked again for 1 min, then 2, 4, 8 and at most 10 min")
    func outageWindowDoubles() async throws {
        let harness = Harness(pullError: FakeDockerEngine.registryLookupTimedOut)
        var asked = 0
        for window in [60.0, 120, 240, 480, 600, 600] {
            let result = await harness.puller.pull("redis")
            asked += 1
            #expect(harness.engine.registryCalls() == asked)
            guard case .unreachable(let outage, attempted: true) = result else {
                Issue.record("expected a question that finds the outage, got \(result)")
                return
            }
            #expect(outage.window == .seconds(window))
            #expect(outage.until == harness.clock.now.addingTimeInterval(window))

            // Any image of that host fails at once until the window ends.
            harness.clock.advance(by: window - 1)
            let remembered = await harness.puller.pull("kubernetes/redis-slave")
            #expect(remembered == .unreachable(outage, attempted: false))
            #expect(await harness.puller.outage(of: "redis") == outage)
            #expect(harness.engine.registryCalls() == asked, "the registry is not asked within the window")
            harness.clock.advance(by: 1)
            #expect(await harness.puller.outage(of: "redis") == nil, "the window ended")
        }
    }

    @Test("a successful pull from the host ends its outage and starts the next one over at 1 min")
    func successResetsTheWindow() async throws {
        let harness = Harness(pullError: FakeDockerEngine.registryLookupTimedOut)
        _ = await harness.puller.pull("redis")
        harness.clock.advance(by: 60)
        _ = await harness.puller.pull("redis")
        #expect(await harness.puller.outage(of: "redis")?.window == .seconds(120))

        harness.clock.advance(by: 120)
        harness.engine.setPullError(nil)
        #expect(await harness.puller.pull("kubernetes/redis-slave") == .pulled)
        #expect(await harness.puller.outage(of: "redis") == nil)

        harness.engine.setPullError(FakeDockerEngine.registryLookupTimedOut)
        _ = await harness.puller.pull("redis")
        #expect(await harness.puller.outage(of: "redis")?.window == .seconds(60))
    }

    @Test("a registry that answers no is asked again at the next pull: it is reachable")
    func refusalIsNoOutage() async throws {
        let denied = "pull access denied for nosuch, repository does not exist or may require 'docker login'"
        let harness = Harness(pullError: denied)
        let result = await harness.puller.pull("nosuch")
        guard case .failed(let error) = result else {
            Issue.record("expected a refusal, got \(result)")
            return
        }
        #expect(error.message == denied)
        #expect(await harness.puller.outage(of: "nosuch") == nil)
        _ = await harness.puller.pull("nosuch")
        #expect(harness.engine.pullCount() == 2)
    }

    @Test("an outage of docker.io leaves images of other registries alone")
    func outageIsPerHost() async throws {
        let harness = Harness(pullError: FakeDockerEngine.registryLookupTimedOut)
        _ = await harness.puller.pull("redis")
        harness.engine.setPullError(nil)
        #expect(await harness.puller.pull("quay.io/coreos/etcd:v3.5") == .pulled)
        #expect(await harness.puller.pull("localhost:5000/redis") == .pulled)
        #expect(await harness.puller.outage(of: "docker.io/library/redis") != nil)
        #expect(harness.engine.pullCount() == 2)
    }
}
