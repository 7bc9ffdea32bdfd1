import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import ServiceProxy

/// Answers iptables calls from a script of exit statuses and records them.
final class ScriptedRunner: CommandRunner {
    private let state: Mutex<(calls: [[String]], statuses: [Int32])>

    init(statuses: [Int32]) { state = Mutex(([], statuses)) }

    var calls: [[String]] { state.withLock { $0.calls } }

    func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, stderr: String) {
        state.withLock { state in
            state.calls.append([executable] + arguments)
            return (state.statuses.isEmpty ? 0 : state.statuses.removeFirst(), "iptables: said no")
        }
    }
}

@Suite("accepting the proxy's marked traffic in DOCKER-USER")
struct DockerForwardAcceptTests {
    @Test("the rule matches the masquerade mark and nothing else")
    func ruleMatchesTheMark() {
        let accept = DockerForwardAccept(mark: 0x4000, runner: ScriptedRunner(statuses: []))
        #expect(accept.rule.prefix(4) == ["-m", "mark", "--mark", "0x4000/0x4000"])
        #expect(accept.rule.suffix(2) == ["-j", "ACCEPT"])
    }

    @Test("without a DOCKER-USER chain nothing is inserted")
    func noChainNoRule() async throws {
        let runner = ScriptedRunner(statuses: [1])
        #expect(try await DockerForwardAccept(mark: 0x4000, runner: runner).ensure() == .noDockerUserChain)
        #expect(runner.calls.count == 1)
    }

    @Test("a rule already there is left alone; a missing one is inserted first in the chain")
    func insertsOnce() async throws {
        let present = ScriptedRunner(statuses: [0, 0])
        #expect(try await DockerForwardAccept(mark: 0x4000, runner: present).ensure() == .alreadyPresent)
        #expect(present.calls.count == 2)
        let missing = ScriptedRunner(statuses: [0, 1, 0])
        #expect(try await DockerForwardAccept(mark: 0x4000, runner: missing).ensure() == .inserted)
        #expect(missing.calls.last?.prefix(8) == ["iptables", "-w", "5", "-t", "filter", "-I", "DOCKER-USER", "1"])
    }

    @Test("a failed insert names the command and what iptables said")
    func failedInsertIsNamed() async {
        let runner = ScriptedRunner(statuses: [0, 1, 4])
        await #expect {
            try await DockerForwardAccept(mark: 0x4000, runner: runner).ensure()
        } throws: { error in
            "\(error)".contains("iptables -w 5 -t filter -I DOCKER-USER 1") && "\(error)".contains("exited with 4: iptables: said no")
        }
    }
}

@Suite("running host commands")
struct SpawnCommandRunnerTests {
    @Test("a command's exit status and what it wrote to stderr come back; stdout is dropped")
    func statusAndStderr() async throws {
        let result = try await SpawnCommandRunner().run("sh", ["-c", "echo out; echo oops >&2; exit 3"])
        #expect(result.status == 3)
        #expect(result.stderr == "oops\n")
    }

    @Test("a command ended by a signal reports 128 and the signal's number, as a shell does")
    func killedBySignal() async throws {
        let result = try await SpawnCommandRunner().run("sh", ["-c", "kill -TERM $$"])
        #expect(result.status == 128 + 15)
    }

    @Test("commands are looked up in sbin first, whatever the agent's PATH")
    func searchesSbin() async throws {
        let result = try await SpawnCommandRunner().run("sh", ["-c", "echo $PATH >&2; command -v iptables >&2"])
        #expect(result.stderr.hasPrefix("/usr/sbin:/sbin:"))
        #expect(result.stderr.hasSuffix("sbin/iptables\n"))
    }

    @Test("a command that is nowhere to be found is an error naming it")
    func missingCommand() async {
        await #expect {
            try await SpawnCommandRunner().run("no-such-command-clc", [])
        } throws: { error in
            "\(error)".contains("no-such-command-clc")
        }
    }
}

@Suite("keeping the DOCKER-USER accept")
struct DockerUserAcceptServiceTests {
    @Test("the service checks at once, then stops at once on a graceful shutdown, mid-interval")
    func stopsOnShutdown() async throws {
        let runner = ScriptedRunner(statuses: [0, 0])
        let service = DockerUserAcceptService(
            accept: DockerForwardAccept(mark: 0x4000, runner: runner), interval: .seconds(60), logger: Logger(label: "test"))
        let group = ServiceGroup(services: [service], logger: Logger(label: "test"))
        let task = Task { try await group.run() }
        for _ in 0..<200 where runner.calls.count < 2 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(runner.calls.count == 2, "iptables -S and -C at start")
        let start = ContinuousClock.now
        await group.triggerGracefulShutdown()
        try await task.value
        // Not the 60 s interval; the bound leaves room for a loaded 2-core machine (6.6 s seen
        // while 134 suites ran in parallel).
        #expect(ContinuousClock.now - start < .seconds(30))
    }
}

@Suite("accepting the flannel network in DOCKER-USER")
struct DockerForwardAcceptNetworkTests {
    @Test("the flannel network is accepted as source and as destination, after the mark")
    func networkRules() {
        let accept = DockerForwardAccept(mark: 0x4000, acceptedNetworks: ["10.1.0.0/16"], runner: ScriptedRunner(statuses: []))
        #expect(accept.rules.count == 3)
        #expect(accept.rules[1].prefix(2) == ["-s", "10.1.0.0/16"])
        #expect(accept.rules[2].prefix(2) == ["-d", "10.1.0.0/16"])
        #expect(accept.rules.allSatisfy { $0.suffix(2) == ["-j", "ACCEPT"] })
    }

    @Test("only missing rules are inserted, each at its place in order")
    func insertsMissingInOrder() async throws {
        // list ok; mark present; -s missing, inserted; -d present.
        let runner = ScriptedRunner(statuses: [0, 0, 1, 0, 0])
        #expect(try await DockerForwardAccept(mark: 0x4000, acceptedNetworks: ["10.1.0.0/16"], runner: runner).ensure() == .inserted)
        #expect(runner.calls.count == 5)
        #expect(runner.calls[3].prefix(10) == ["iptables", "-w", "5", "-t", "filter", "-I", "DOCKER-USER", "2", "-s", "10.1.0.0/16"])
    }

    @Test("without the proxy's mark only the network is accepted")
    func withoutMark() {
        let accept = DockerForwardAccept(mark: nil, acceptedNetworks: ["10.1.0.0/16"], runner: ScriptedRunner(statuses: []))
        #expect(accept.rules.map { $0[0] } == ["-s", "-d"])
    }
}
