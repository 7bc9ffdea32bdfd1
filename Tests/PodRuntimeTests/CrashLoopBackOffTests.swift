import Foundation
import KubeAPI
import Testing

@testable import PodRuntime

/// A pod whose `app` dies again and again, synced the way ``PodManager`` and ``PodSyncer`` do
/// it: a sync whenever an instance dies (the engine's die event, or the liveness probe's
/// failure) and when the plan asks for one (a back-off ends); each start steps the back-off as
/// the executor does and runs a new instance.
private struct DyingPod {
    /// How an instance ends, counted from its start.
    enum Death {
        /// It exits by itself after this many seconds (a crash loop).
        case crashes(after: TimeInterval)
        /// Its liveness probe fails this many seconds after the start; the sync kills it.
        case failsLiveness(after: TimeInterval)
    }

    let pod = TestFixtures.basePod
    let death: Death
    var backOff = BackOff()
    var instances: [ObservedContainer] = []
    /// Seconds at which instances started, in order.
    var starts: [TimeInterval] = []
    var waits: [String] = []

    init(_ death: Death) { self.death = death }

    /// Runs from 0 to `end` seconds and returns the start times.
    mutating func run(until end: TimeInterval) -> [TimeInterval] {
        var wakeups: Set<TimeInterval> = [0]
        while let now = wakeups.min(), now <= end {
            wakeups.remove(now)
            var unhealthy: Set<String> = []
            if let index = instances.firstIndex(where: \.isRunning), let started = starts.last {
                switch death {
                case .crashes(let after) where started + after <= now:
                    instances[index].state = .exited
                    instances[index].exitCode = 1
                    instances[index].finishedAt = at(started + after)
                case .failsLiveness(let after) where started + after <= now:
                    unhealthy.insert(instances[index].id)
                default: break
                }
            }
            let observed = ObservedPod(uid: "uid-1", containers: [TestFixtures.sandbox()] + instances)
            let actions = PodActionPlanner().plan(pod: pod, observed: observed, backOff: backOff, now: at(now), unhealthy: unhealthy)
            for kill in actions.containersToKill {
                let index = instances.firstIndex { $0.id == kill.containerID }!
                instances[index].state = .exited
                instances[index].exitCode = 137
                instances[index].finishedAt = at(now)
            }
            for start in actions.containersToStart {
                if let key = start.backOffKey, let failedAt = start.failedAt { backOff.next(key, eventTime: failedAt, now: at(now)) }
                instances.append(
                    TestFixtures.container(
                        id: "app-\(instances.count)", state: .running, restartCount: start.restartCount,
                        created: at(now), started: at(now)))
                starts.append(now)
                switch death {
                case .crashes(let after), .failsLiveness(let after): wakeups.insert(now + after)
                }
            }
            if let message = actions.waiting["app"]?.message { waits.append(message) }
            if let next = actions.nextSync { wakeups.insert(next.timeIntervalSince(TestFixtures.epoch)) }
        }
        return starts
    }

    var restartCount: Int { instances.map(\.restartCount).max() ?? -1 }
}

private let at = TestFixtures.at

/// One row: how instances die, and the start times kubelet's doBackOff gives (worked out by
/// hand from pkg/kubelet/kuberuntime doBackOff and client-go's flowcontrol.Backoff: the
/// reference is the FinishedAt of the newest exited instance before the sync's kills; Next
/// sets 10 s on a new entry and doubles it up to 300 s, lastUpdate = the time of the start).
private struct KubeletTiming: Sendable, CustomTestStringConvertible {
    var testDescription: String
    var death: DyingPod.Death
    var until: TimeInterval
    var starts: [TimeInterval]
}

extension DyingPod.Death: @unchecked Sendable {}

private let kubeletTimings: [KubeletTiming] = [
    KubeletTiming(
        testDescription: "liveness kills 6 s after each start: restarts 1 and 2 are immediate, then 10, 20, 40, 80, 160 s after a kill",
        death: .failsLiveness(after: 6), until: 700,
        // kill 6 -> start; kill 12 -> start (new entry, 10 s); kill 18: 6 s after the death at
        // 12 -> wait until 28; kill 34: 16 s after 18 < 20 -> wait until 54; and so on, until the
        // kill at 664 comes 306 s after the death at 358, past the 300 s maximum: immediate.
        starts: [0, 6, 12, 28, 54, 100, 186, 352, 658, 664]),
    KubeletTiming(
        testDescription: "liveness kills 30 s after each start: the previous death is 30 s old, so only waits of 40 s and more show",
        death: .failsLiveness(after: 30), until: 400,
        // kill 30 -> start; kill 60 -> start (10 s); kill 90: 30 s after 60 >= 10 -> start (20 s);
        // kill 120: 30 >= 20 -> start (40 s); kill 150: 30 < 40 -> wait until 190 (80 s).
        starts: [0, 30, 60, 90, 120, 190, 300]),
    KubeletTiming(
        testDescription: "a crash loop of instances that die after 1 s: the first restart is immediate, then 10, 20, 40, 80 s",
        death: .crashes(after: 1), until: 160,
        starts: [0, 1, 12, 33, 74, 155]),
    KubeletTiming(
        testDescription: "instances that run 11 minutes each outlive twice the maximum back-off: every restart is immediate",
        death: .crashes(after: 660), until: 2000,
        starts: [0, 660, 1320, 1980]),
]

@Suite("Crash-loop back-off, as kubelet's doBackOff")
struct CrashLoopBackOffTests {
    @Test("restart times match kubelet's", arguments: kubeletTimings)
    fileprivate func kubeletStartTimes(_ timing: KubeletTiming) {
        var pod = DyingPod(timing.death)
        #expect(pod.run(until: timing.until) == timing.starts)
        #expect(pod.restartCount == timing.starts.count - 1, "each start after the first counts one restart")
    }

    @Test("while backing off the container waits in CrashLoopBackOff with kubelet's message")
    func waitingMessage() {
        var pod = DyingPod(.crashes(after: 1))
        _ = pod.run(until: 40)
        #expect(
            pod.waits.prefix(2) == [
                "back-off 10s restarting failed container=app pod=default/web",
                "back-off 20s restarting failed container=app pod=default/web",
            ])
    }

    @Test("the waits double up to 300 s and stay there")
    func doublingIsCapped() {
        var pod = DyingPod(.crashes(after: 1))
        let starts = pod.run(until: 3000)
        let gaps = zip(starts.dropFirst(), starts).map { $0 - $1 - 1 }
        #expect(Array(gaps.prefix(10)) == [0, 10, 20, 40, 80, 160, 300, 300, 300, 300])
    }

    @Test("a liveness kill with restartPolicy Never kills and starts nothing")
    func livenessUnderNever() {
        var pod = TestFixtures.basePod
        pod.spec.restartPolicy = "Never"
        let observed = ObservedPod(uid: "uid-1", containers: [TestFixtures.sandbox(), TestFixtures.container(id: "app-1", state: .running)])
        let actions = PodActionPlanner().plan(pod: pod, observed: observed, backOff: BackOff(), now: at(100), unhealthy: ["app-1"])
        #expect(actions.containersToKill.map(\.containerID) == ["app-1"])
        #expect(actions.containersToStart.isEmpty)
    }

    @Test("a changed spec starts with a fresh back-off: its key carries the spec hash")
    func specChangeIsAFreshStart() {
        var changed = TestFixtures.basePod.spec.containers[0]
        changed.image = "redis:8"
        let before = PodActionPlanner.backOffKey(podUID: "uid-1", container: TestFixtures.basePod.spec.containers[0])
        let after = PodActionPlanner.backOffKey(podUID: "uid-1", container: changed)
        #expect(before != after)
        #expect(before.hasPrefix("uid-1/app/") && after.hasPrefix("uid-1/app/"))
    }

    @Test("an entry last stepped more than twice the maximum before a failure is forgotten")
    func idleEntryExpires() {
        var backOff = BackOff()
        for second in 0..<3 { backOff.next("k", eventTime: at(TimeInterval(second)), now: at(TimeInterval(second))) }
        #expect(backOff.entry("k")?.duration == .seconds(40))
        // A failure exactly 2 × 300 s after the last step still backs off...
        #expect(backOff.isInBackOff("k", since: at(602), now: at(603)))
        // ...a failure later than that does not, and the next step starts over.
        #expect(!backOff.isInBackOff("k", since: at(603), now: at(604)))
        backOff.next("k", eventTime: at(603), now: at(604))
        #expect(backOff.entry("k")?.duration == .seconds(10))
    }

    @Test("expiry counts from the step, not from the failure the step answered")
    func lastUpdateIsTheStepTime() {
        var backOff = BackOff()
        backOff.next("k", eventTime: at(0), now: at(0))
        // Stepped at 500 for a failure at 10: a failure at 1,050 is 550 s after the step.
        backOff.next("k", eventTime: at(10), now: at(500))
        #expect(backOff.entry("k") == BackOff.Entry(duration: .seconds(20), lastUpdate: at(500)))
        #expect(backOff.isInBackOff("k", since: at(1050), now: at(1051)))
    }

    @Test("a wait at the maximum lasts the whole maximum even when the entry is older than twice the maximum by then")
    func maximumWaitIsNotCutShort() {
        var backOff = BackOff()
        for second in 0..<6 { backOff.next("k", eventTime: at(TimeInterval(second)), now: at(TimeInterval(second))) }
        #expect(backOff.entry("k")?.duration == .seconds(300))
        // The last failure came 400 s after the last step; 299 s later the entry is 699 s old.
        #expect(backOff.isInBackOff("k", since: at(405), now: at(704)))
        #expect(!backOff.isInBackOff("k", since: at(405), now: at(705)))
    }

    @Test("resetting a pod's prefix forgets its containers and no other pod's")
    func resetPrefix() {
        var backOff = BackOff()
        for key in ["uid-1/app/h", "uid-1/sidecar/h", "uid-2/app/h"] { backOff.next(key, eventTime: at(0), now: at(0)) }
        backOff.reset(prefix: "uid-1/")
        #expect(backOff.entry("uid-1/app/h") == nil)
        #expect(backOff.entry("uid-1/sidecar/h") == nil)
        #expect(backOff.entry("uid-2/app/h") != nil)
    }
}
