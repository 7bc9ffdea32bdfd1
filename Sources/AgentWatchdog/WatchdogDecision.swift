/// The agent's own long-running loops whose liveness feeds systemd's watchdog. Docker, the master
/// and etcd are not among them: their outages are reported (STATUS=, node conditions), and a
/// restart of the agent would not bring them back.
public enum AgentLoop: String, Sendable, CaseIterable {
    /// The pod manager that dispatches the pod workers (kubelet's sync loop): it must answer.
    case podWorkers = "pod workers"
    /// The service proxy's sync loop: a change it owes must be started on.
    case proxySync = "proxy sync"
    /// The flannel lease's holding loop: a renewal or retry that is due must be attempted.
    case leaseRenewal = "lease renewal"
}

/// How late a loop is: the time it has owed work without doing it (a probe of the pod manager
/// not answered, a proxy change not started on, a lease renewal past its deadline).
public struct LoopLateness: Sendable, Equatable {
    public var loop: AgentLoop
    public var overdue: Duration

    public init(_ loop: AgentLoop, overdue: Duration) {
        self.loop = loop
        self.overdue = overdue
    }
}

/// How stale is dead, per loop. A live loop is never late by more than its own retry pace: the
/// pod manager answers a probe at once (it only dispatches; workers call Docker), the proxy
/// retries a failed sync within 30 s, the lease loop retries within a minute; the limits leave
/// room for a loaded 2-core machine on top of that.
public struct WatchdogPolicy: Sendable, Equatable {
    public var podWorkers: Duration
    public var proxySync: Duration
    public var leaseRenewal: Duration

    public init(podWorkers: Duration = .seconds(30), proxySync: Duration = .seconds(120), leaseRenewal: Duration = .seconds(180)) {
        self.podWorkers = podWorkers
        self.proxySync = proxySync
        self.leaseRenewal = leaseRenewal
    }

    public func limit(_ loop: AgentLoop) -> Duration {
        switch loop {
        case .podWorkers: podWorkers
        case .proxySync: proxySync
        case .leaseRenewal: leaseRenewal
        }
    }
}

/// What the watchdog does this round: feed systemd or withhold the ping, and what STATUS= says.
public struct WatchdogDecision: Sendable, Equatable {
    /// Send WATCHDOG=1: every loop of ours is alive, whatever the outages outside.
    public var feed: Bool
    /// The loops found dead, named with how late they are ("proxy sync: 130 s overdue").
    public var deadLoops: [String]
    /// STATUS= text: the base status, then the dead loops and the outages, if any.
    public var status: String

    public init(feed: Bool, deadLoops: [String], status: String) {
        self.feed = feed
        self.deadLoops = deadLoops
        self.status = status
    }

    /// - Parameters:
    ///   - lateness: each running loop's lateness (loops the node does not run are absent).
    ///   - outages: what outside the agent is down, in words for STATUS= ("Docker engine at
    ///     /var/run/docker.sock not answering"); never a reason to withhold the ping.
    ///   - base: the status the agent set last ("Serving pods from ...").
    public static func decide(
        lateness: [LoopLateness], outages: [String], base: String, policy: WatchdogPolicy = WatchdogPolicy()
    ) -> WatchdogDecision {
        let dead = lateness.filter { $0.overdue > policy.limit($0.loop) }.map {
            "\($0.loop.rawValue): \(Int($0.overdue.components.seconds)) s overdue"
        }
        var parts = [base]
        if !dead.isEmpty { parts.append("stuck: " + dead.joined(separator: ", ")) }
        parts.append(contentsOf: outages)
        return WatchdogDecision(feed: dead.isEmpty, deadLoops: dead, status: parts.filter { !$0.isEmpty }.joined(separator: "; "))
    }
}
