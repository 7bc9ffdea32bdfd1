import CSystemd
import Foundation
import Logging
import ServiceLifecycle

/// Tells systemd how the agent is doing: `READY=1` once the node serves (after the first pod
/// sync), `STATUS=` for humans, `WATCHDOG=1` every half watchdog interval while the health
/// check passes, `STOPPING=1` on shutdown. Does nothing outside systemd.
actor SystemdNotifier: Service {
    private let logger: Logger
    private let healthy: @Sendable () async -> Bool
    private var ready = false

    init(logger: Logger, healthy: @escaping @Sendable () async -> Bool) {
        self.logger = logger
        self.healthy = healthy
    }

    static var isUnderSystemd: Bool { ProcessInfo.processInfo.environment["NOTIFY_SOCKET"] != nil }

    func markReady(status: String) {
        guard !ready else { return }
        ready = true
        Self.notify("READY=1\nSTATUS=\(status)")
    }

    func status(_ text: String) { Self.notify("STATUS=\(text)") }

    func run() async throws {
        var microseconds: UInt64 = 0
        let watchdog = sd_watchdog_enabled(0, &microseconds) > 0
        await withGracefulShutdownHandler {
            guard watchdog else {
                try? await gracefulShutdown()
                return
            }
            let interval = Duration.microseconds(Int64(microseconds / 2))
            logger.info("systemd watchdog enabled", metadata: ["interval": "\(interval)"])
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                if await healthy() {
                    Self.notify("WATCHDOG=1")
                } else {
                    logger.warning("health check failing, withholding the watchdog ping")
                }
                try? await Task.sleep(for: interval)
            }
        } onGracefulShutdown: {
            Self.notify("STOPPING=1")
        }
    }

    static func notify(_ state: String) {
        guard isUnderSystemd else { return }
        _ = sd_notify(0, state)
    }
}
