import Foundation
import TestSupport
import Testing

/// Flags set the way systemd's EnvironmentFile sets them: `CLC_NODE_<FLAG>` variables.
@Suite("Flags from the environment file")
struct EnvironmentFileTests {
    /// Starts an agent with `variables`, waits for its first pod sync and returns its log.
    private func log(with variables: [String: String]) async throws -> String {
        let fixture = try AgentFixture("env-file", environment: variables)
        defer { Task { await fixture.tearDown() } }
        try await eventually("the first pod sync", timeout: .seconds(30)) { fixture.agent.log.contains("first pod sync started") }
        try await Task.sleep(for: .milliseconds(300))
        return fixture.agent.log
    }

    @Test("an empty CLC_NODE_METRICS_BIND_ADDRESS turns the metrics server off, as the README promises")
    func emptyValueIsEmpty() async throws {
        let log = try await log(with: ["CLC_NODE_METRICS_BIND_ADDRESS": ""])
        #expect(!log.contains("serving metrics"))
        #expect(!log.contains("Error"))
    }

    @Test("a CLC_NODE_METRICS_BIND_ADDRESS with an address serves metrics there")
    func valueIsUsed() async throws {
        let log = try await log(with: ["CLC_NODE_METRICS_BIND_ADDRESS": "127.0.0.1:0"])
        #expect(log.contains("serving metrics"))
    }

    @Test("an empty CLC_NODE_MASTER leaves the agent without a master, not with an empty URL")
    func emptyOptionalIsUnset() async throws {
        let log = try await log(with: ["CLC_NODE_MASTER": "", "CLC_NODE_METRICS_BIND_ADDRESS": ""])
        #expect(log.contains("first pod sync started"))
        #expect(!log.contains("waiting for the master"))
    }
}
