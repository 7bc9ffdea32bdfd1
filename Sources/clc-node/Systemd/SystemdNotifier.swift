import AgentWatchdog
import CSystemd
import Foundation
import Logging
import ServiceLifecycle

/// Tells systemd how the agent is doing: `READY=1` once the node serves (after the first pod
/// sync), `STATUS=` for humans, `WATCHDOG=1` every half watchdog interval while the agent's own
/// loops are alive (``WatchdogDecision``), `STOPPING=1` on shutdown. A Docker or master outage
/// shows in STATUS= and never withholds the ping: restarting the agent would not end it.
/// Does nothing outside systemd.
actor SystemdNotifier: Service {
    private let logger: Logger
    private let policy: WatchdogPolicy
    private var probes: [LivenessProbe] = []
    /// Outside the agent: each names what is down ("Docker engine at ... not answering"), or nil.
    private var outageChecks: [LivenessProbe] = []
    private var ready = false
    private var baseStatus = ""
    private var sentStatus: String?
    private var withholding: [String] = []

    init(logger: Logger, policy: WatchdogPolicy = WatchdogPolicy()) {
        self.logger = logger
        self.policy = policy
    }

    static var isUnderSystemd: Bool { ProcessInfo.processInfo.environment["NOTIFY_SOCKET"] != nil }

    /// Adds a loop whose liveness feeds the watchdog; `ask` runs in a task of its own.
    func watch(_ loop: AgentLoop, ask: @escaping @Sendable () async -> LivenessProbe.Answer) {
        probes.append(LivenessProbe(loop, ask: ask))
    }

    /// Adds a check of something outside the agent, reported in STATUS= while it fails.
    func report(outage check: @escaping @Sendable () async -> String?) {
        // The loop kind is irrelevant: only the problem is read.
        outageChecks.append(LivenessProbe(.podWorkers) { LivenessProbe.Answer(problem: await check()) })
    }

    func markReady(status: String) {
        guard !ready else { return }
        ready = true
        baseStatus = status
        sentStatus = status
        Self.notify("READY=1\nSTATUS=\(status)")
    }

    func status(_ text: String) {
        baseStatus = text
        sentStatus = text
        Self.notify("STATUS=\(text)")
    }

    func run() async throws {
        var microseconds: UInt64 = 0
        let watchdog = sd_watchdog_enabled(0, &microseconds) > 0
        let interval = watchdog ? Duration.microseconds(Int64(microseconds / 2)) : .seconds(15)
        let probes = self.probes
        let outageChecks = self.outageChecks
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for probe in probes + outageChecks { group.addTask { await probe.run(every: interval) } }
                if watchdog {
                    logger.info(
                        "systemd watchdog enabled", metadata: ["interval": "\(interval)", "loops": "\(probes.map(\.loop.rawValue))"])
                }
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    // Ends at once on a graceful shutdown: a plain sleep held SIGTERM up to 15 s.
                    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
                    if Task.isShuttingDownGracefully { break }
                    self.round(watchdog: watchdog, probes: probes, outages: outageChecks.compactMap(\.problem) + probes.compactMap(\.problem))
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            Self.notify("STOPPING=1")
        }
    }

    /// One round: decide, then ping and/or update STATUS= when it changed.
    private func round(watchdog: Bool, probes: [LivenessProbe], outages: [String]) {
        let now = ContinuousClock.now
        let decision = WatchdogDecision.decide(
            lateness: probes.map { $0.lateness(now: now) }, outages: outages, base: baseStatus, policy: policy)
        if decision.feed {
            if watchdog { Self.notify("WATCHDOG=1") }
        } else if decision.deadLoops != withholding {
            logger.critical("agent loop stuck, withholding the systemd watchdog ping", metadata: ["loops": "\(decision.deadLoops)"])
        }
        withholding = decision.deadLoops
        guard ready, decision.status != sentStatus else { return }
        if decision.status != baseStatus { logger.warning("degraded: \(decision.status)") }
        sentStatus = decision.status
        Self.notify("STATUS=\(decision.status)")
    }

    static func notify(_ state: String) {
        guard isUnderSystemd else { return }
        _ = sd_notify(0, state)
    }
}
