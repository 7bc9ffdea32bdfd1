import Foundation
import MasterDouble
import TestSupport
import Testing

/// systemd's watchdog as the unit configures it, with the agent's `NOTIFY_SOCKET` and
/// `WATCHDOG_USEC` pointed at a test socket: an outage outside the agent is reported in STATUS=
/// and never withholds WATCHDOG=1 (restarting the agent would not end it).
@Suite("systemd watchdog through a master outage")
struct WatchdogTests {
    @Test("with the master partitioned away, WATCHDOG=1 keeps coming and STATUS= names the master; when it is back STATUS= drops it")
    func masterOutageKeepsFeeding() async throws {
        let master = try MasterDouble()
        try master.start()
        let notify = try NotifySocket()
        let fixture = try AgentFixture(
            "watchdog", extraArguments: ["--master", master.url, "--node-status-interval", "1"],
            environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "2000000"])
        defer {
            notify.close()
            Task {
                await fixture.tearDown()
                master.stop()
            }
        }
        try await eventually("READY=1", timeout: .seconds(30)) { notify.messages.contains { $0.contains("READY=1") } }
        try await eventually("WATCHDOG=1 every second", timeout: .seconds(10)) { notify.messages.filter { $0 == "WATCHDOG=1" }.count >= 2 }

        master.setPartitioned(true)
        do {
            try await eventually("STATUS= naming the master", timeout: .seconds(20)) {
                notify.messages.contains { $0.hasPrefix("STATUS=") && $0.contains("master \(master.url) not answering") }
            }
        } catch {
            // What the agent said and logged, for a failure seen once under CI's load (stop 20).
            Issue.record("notify messages: \(notify.messages.suffix(20)); agent log: \(fixture.agent.log.suffix(4000))")
            throw error
        }
        let reported = try #require(notify.messages.lastIndex { $0.contains("not answering") })
        try await eventually("WATCHDOG=1 still sent during the outage", timeout: .seconds(10)) {
            notify.messages.dropFirst(reported + 1).filter { $0 == "WATCHDOG=1" }.count >= 3
        }
        #expect(!fixture.agent.log.contains("withholding the systemd watchdog ping"), "\(fixture.agent.log.suffix(2000))")
        #expect(fixture.agent.isRunning)

        master.setPartitioned(false)
        try await eventually("STATUS= without the outage", timeout: .seconds(30)) {
            notify.messages.last { $0.hasPrefix("STATUS=") }.map { !$0.contains("not answering") } ?? false
        }
    }
}
