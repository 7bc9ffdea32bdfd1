import AgentWatchdog
import Foundation
import Testing

@Suite("Watchdog decision: the agent's own loops, not Docker or the master")
struct WatchdogDecisionTests {
    @Test("every loop on time: the watchdog is fed and STATUS= is the base status")
    func allOnTime() {
        let decision = WatchdogDecision.decide(
            lateness: AgentLoop.allCases.map { LoopLateness($0, overdue: .seconds(1)) }, outages: [], base: "Serving pods from master")
        #expect(decision == WatchdogDecision(feed: true, deadLoops: [], status: "Serving pods from master"))
    }

    @Test("a Docker or master outage is reported in STATUS= and the watchdog is still fed")
    func outagesDoNotWithhold() {
        let decision = WatchdogDecision.decide(
            lateness: [LoopLateness(.podWorkers, overdue: .zero)],
            outages: ["Docker engine at /var/run/docker.sock not answering", "master https://m:6443 not answering"],
            base: "Serving pods")
        #expect(decision.feed)
        #expect(decision.status == "Serving pods; Docker engine at /var/run/docker.sock not answering; master https://m:6443 not answering")
    }

    @Test(
        "a loop late beyond its limit withholds the ping and is named in STATUS=",
        arguments: [
            (AgentLoop.podWorkers, Duration.seconds(31), "pod workers: 31 s overdue"),
            (.proxySync, .seconds(121), "proxy sync: 121 s overdue"),
            (.leaseRenewal, .seconds(181), "lease renewal: 181 s overdue"),
        ])
    func lateLoopWithholds(loop: AgentLoop, overdue: Duration, named: String) {
        let decision = WatchdogDecision.decide(lateness: [LoopLateness(loop, overdue: overdue)], outages: [], base: "Serving pods")
        #expect(!decision.feed)
        #expect(decision.deadLoops == [named])
        #expect(decision.status == "Serving pods; stuck: \(named)")
    }

    @Test(
        "a loop late up to its limit is alive: a proxy retrying every 30 s, a lease retried every minute",
        arguments: [(AgentLoop.podWorkers, Duration.seconds(30)), (.proxySync, .seconds(120)), (.leaseRenewal, .seconds(180))])
    func lateWithinLimitFeeds(loop: AgentLoop, overdue: Duration) {
        #expect(WatchdogDecision.decide(lateness: [LoopLateness(loop, overdue: overdue)], outages: [], base: "").feed)
    }

    @Test("a node without flannel or proxy judges only the loops it runs")
    func absentLoopsDoNotCount() {
        let decision = WatchdogDecision.decide(lateness: [LoopLateness(.podWorkers, overdue: .seconds(2))], outages: [], base: "b")
        #expect(decision.feed)
    }

    @Test("a probe in flight is late by its wait; none in flight is on time")
    func probeLateness() {
        let now = ContinuousClock.now
        #expect(Lateness.probe(startedAt: now - .seconds(40), now: now) == .seconds(40))
        #expect(Lateness.probe(startedAt: nil, now: now) == .zero)
    }

    @Test("the lease loop is late only after its armed deadline passed")
    func leaseDeadline() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        #expect(Lateness.deadline(now.addingTimeInterval(600), now: now) == .zero)
        #expect(Lateness.deadline(now.addingTimeInterval(-200), now: now) == .seconds(200))
        #expect(Lateness.deadline(nil, now: now) == .zero, "no deadline while waiting for the config")
        let decision = WatchdogDecision.decide(
            lateness: [LoopLateness(.leaseRenewal, overdue: Lateness.deadline(now.addingTimeInterval(-200), now: now))], outages: [],
            base: "Serving")
        #expect(!decision.feed)
    }

    @Test("the proxy owing nothing is on time")
    func proxyOwed() {
        #expect(Lateness.owed(nil) == .zero)
        #expect(Lateness.owed(.seconds(5)) == .seconds(5))
    }
}
