import Foundation
import KubeAPI
import Testing

@testable import PodRuntime

/// A pod whose `app` keeps crashing, synced the way ``PodSyncer`` does it: plan, then for each
/// start record the retry in the back-off (`BackOff.next` with the failure time and how long the
/// failed instance ran) and run a new instance.
private struct CrashingPod {
    let pod = TestFixtures.basePod
    var backOff = BackOff()
    var instances: [ObservedContainer] = []

    /// Plans at `now` and carries out the starts.
    mutating func sync(at now: Date) -> PodActions {
        let observed = ObservedPod(uid: "uid-1", containers: [TestFixtures.sandbox()] + instances)
        let actions = PodActionPlanner().plan(pod: pod, observed: observed, backOff: backOff, now: now)
        for start in actions.containersToStart {
            if let key = start.backOffKey, let failedAt = start.failedAt {
                backOff.next(key, eventTime: failedAt, ranFor: start.ranFor)
            }
            instances.append(
                TestFixtures.container(
                    id: "app-\(instances.count)", state: .running, restartCount: start.restartCount, created: now, started: now))
        }
        return actions
    }

    /// The newest instance exits with code 1 at `time`.
    mutating func crash(at time: Date) {
        let newest = instances.indices.max { instances[$0].createdAt < instances[$1].createdAt }!
        instances[newest].state = .exited
        instances[newest].exitCode = 1
        instances[newest].finishedAt = time
    }

    var restartCount: Int { instances.map(\.restartCount).max() ?? -1 }
}

private let at = TestFixtures.at

@Suite("Crash-loop back-off")
struct CrashLoopBackOffTests {
    @Test("the first restart is immediate, then waits are 10, 20, 40, ... seconds, capped at 300 s")
    func doublingWaits() {
        var pod = CrashingPod()
        #expect(pod.sync(at: at(0)).containersToStart.map(\.restartCount) == [0])
        pod.crash(at: at(5))
        #expect(pod.sync(at: at(5)).containersToStart.map(\.restartCount) == [1], "the first restart does not wait")

        var time: TimeInterval = 6
        for (attempt, wait) in [10, 20, 40, 80, 160, 300, 300, 300].enumerated() {
            pod.crash(at: at(time))
            let waiting = pod.sync(at: at(time + 1))
            #expect(waiting.containersToStart.isEmpty)
            #expect(
                waiting.waiting["app"]
                    == PodActions.Waiting(
                        reason: "CrashLoopBackOff",
                        message: "back-off \(wait)s restarting failed container=app pod=default/web"))
            #expect(waiting.nextSync == at(time + TimeInterval(wait)))
            #expect(pod.sync(at: at(time + TimeInterval(wait) - 0.5)).containersToStart.isEmpty, "still backing off")

            let restart = pod.sync(at: at(time + TimeInterval(wait)))
            #expect(restart.containersToStart.map(\.restartCount) == [attempt + 2])
            #expect(restart.waiting.isEmpty)
            time += TimeInterval(wait) + 1  // the new instance dies a second after it started
        }
    }

    @Test("a container that ran 10 minutes before it died restarts at once and then backs off from 10 s again")
    func longRunResets() {
        var pod = CrashingPod()
        _ = pod.sync(at: at(0))
        // Crash a few times to build up a 40 s back-off.
        pod.crash(at: at(1))
        _ = pod.sync(at: at(1))
        pod.crash(at: at(2))
        _ = pod.sync(at: at(12))
        pod.crash(at: at(13))
        _ = pod.sync(at: at(33))
        pod.crash(at: at(34))
        #expect(pod.sync(at: at(35)).waiting["app"]?.message.hasPrefix("back-off 40s") == true)
        _ = pod.sync(at: at(74))
        #expect(pod.restartCount == 4)

        pod.crash(at: at(74 + 600))
        let restart = pod.sync(at: at(74 + 600))
        #expect(restart.containersToStart.map(\.restartCount) == [5])
        #expect(pod.backOff.entry("uid-1/app")?.duration == .seconds(10))

        pod.crash(at: at(74 + 601))
        let waiting = pod.sync(at: at(74 + 602))
        #expect(waiting.waiting["app"]?.message == "back-off 10s restarting failed container=app pod=default/web")
        #expect(waiting.nextSync == at(74 + 611))
    }

    @Test("a retry of an instance that ran for the reset time starts over at the initial wait")
    func ranForResets() {
        var backOff = BackOff()
        for second in 0..<4 { backOff.next("k", eventTime: at(TimeInterval(second))) }
        #expect(backOff.entry("k")?.duration == .seconds(80))
        backOff.next("k", eventTime: at(5), ranFor: .seconds(599))
        #expect(backOff.entry("k")?.duration == .seconds(160))
        backOff.next("k", eventTime: at(6), ranFor: .seconds(600))
        #expect(backOff.entry("k")?.duration == .seconds(10))
    }

    @Test("an entry idle for more than twice the maximum is forgotten")
    func idleEntryExpires() {
        var backOff = BackOff()
        for second in 0..<3 { backOff.next("k", eventTime: at(TimeInterval(second))) }
        #expect(backOff.entry("k")?.duration == .seconds(40))
        // A failure exactly 2 × 300 s after the last update still backs off...
        #expect(backOff.isInBackOff("k", since: at(602), now: at(603)))
        // ...a failure later than that does not, and the next retry starts over.
        #expect(!backOff.isInBackOff("k", since: at(603), now: at(604)))
        backOff.next("k", eventTime: at(603))
        #expect(backOff.entry("k")?.duration == .seconds(10))
    }

    @Test("a wait at the maximum lasts the whole maximum even when the entry is older than twice the maximum by then")
    func maximumWaitIsNotCutShort() {
        var backOff = BackOff()
        for second in 0..<6 { backOff.next("k", eventTime: at(TimeInterval(second))) }
        #expect(backOff.entry("k")?.duration == .seconds(300))
        // The last failure came 400 s after the last update; 299 s later the entry is 699 s old.
        #expect(backOff.isInBackOff("k", since: at(405), now: at(704)))
        #expect(!backOff.isInBackOff("k", since: at(405), now: at(705)))
    }

    @Test("resetting a pod's prefix forgets its containers and no other pod's")
    func resetPrefix() {
        var backOff = BackOff()
        backOff.next("uid-1/app", eventTime: at(0))
        backOff.next("uid-1/sidecar", eventTime: at(0))
        backOff.next("uid-2/app", eventTime: at(0))
        backOff.reset(prefix: "uid-1/")
        #expect(backOff.entry("uid-1/app") == nil)
        #expect(backOff.entry("uid-1/sidecar") == nil)
        #expect(backOff.entry("uid-2/app") != nil)
    }
}
