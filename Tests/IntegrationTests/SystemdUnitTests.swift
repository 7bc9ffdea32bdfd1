import Foundation
import TestSupport
import Testing

/// The files an operator installs (systemd/): the unit, the env file that must list every flag
/// of `clc-node run` with its default, and the Docker drop-in, checked against the built binary
/// and with `systemd-analyze verify`.
@Suite("systemd unit, env file and Docker drop-in")
struct SystemdUnitTests {
    static let systemdDirectory = TestEnvironment.repositoryRoot + "/systemd"

    /// A displayed flag of `clc-node run`, from ArgumentParser's `--experimental-dump-help`.
    struct Flag {
        var name: String
        var defaultValue: String?
        var isFlag: Bool
    }

    /// The flags `clc-node run` accepts, as the binary itself describes them.
    static func flagsOfRun() async throws -> [Flag] {
        let binary = try TestEnvironment.agentBinary()
        let dump = try await HostCommand.check(binary, ["run", "--experimental-dump-help"])
        let root = try #require(try JSONSerialization.jsonObject(with: Data(dump.utf8)) as? [String: Any])
        var command = try #require(root["command"] as? [String: Any])
        if command["commandName"] as? String != "run" {
            let subcommands = command["subcommands"] as? [[String: Any]] ?? []
            command = try #require(subcommands.first { $0["commandName"] as? String == "run" })
        }
        let arguments = command["arguments"] as? [[String: Any]] ?? []
        return arguments.compactMap { argument in
            guard argument["shouldDisplay"] as? Bool ?? true else { return nil }
            let names = argument["names"] as? [[String: Any]] ?? []
            guard let long = names.first(where: { $0["kind"] as? String == "long" })?["name"] as? String,
                !["help", "version"].contains(long)
            else { return nil }
            return Flag(name: long, defaultValue: argument["defaultValue"] as? String, isFlag: argument["kind"] as? String == "flag")
        }
    }

    /// Defaults the dump shows in another form than the flag takes (scripts/gen-env-file.py's
    /// DEFAULTS): a transformed option's default is printed with Swift's `description`.
    static let displayedDefaults = ["service-node-port-range": "30000-32767"]

    static func variable(_ flag: String) -> String { "CLC_NODE_" + flag.uppercased().replacingOccurrences(of: "-", with: "_") }

    static func envFile() throws -> String {
        try String(contentsOfFile: systemdDirectory + "/clc-node.env", encoding: .utf8)
    }

    @Test("the env file lists every flag of `clc-node run`, each with its default")
    func envFileListsEveryFlag() async throws {
        let flags = try await Self.flagsOfRun()
        #expect(flags.count > 40, "the dump lists \(flags.count) flags: is it `clc-node run`'s?")
        let lines = EnvironmentFileText.lines(try Self.envFile())
        let byKey = Dictionary(lines.map { ($0.key, $0) }) { first, _ in first }
        let missing = flags.filter { byKey[Self.variable($0.name)] == nil }.map { "--\($0.name) (\(Self.variable($0.name)))" }
        #expect(missing.isEmpty, "systemd/clc-node.env lacks \(missing.joined(separator: ", ")): run scripts/gen-env-file.py")
        for flag in flags {
            guard let line = byKey[Self.variable(flag.name)],
                let expected = flag.isFlag ? "false" : Self.displayedDefaults[flag.name] ?? flag.defaultValue
            else { continue }
            #expect(line.value == expected, "systemd/clc-node.env: \(line.key)=\(line.value), but the default of --\(flag.name) is \(expected)")
        }
        let known = Set(flags.map { Self.variable($0.name) })
        let unknown = lines.map(\.key).filter { !known.contains($0) }
        #expect(unknown.isEmpty, "systemd/clc-node.env sets variables that are no flag of `clc-node run`: \(unknown)")
        #expect(EnvironmentFileText.malformed(try Self.envFile()).isEmpty)
    }

    @Test("every flag of `clc-node run` can be set from its CLC_NODE_ variable")
    func everyFlagIsReadFromTheEnvironment() async throws {
        let flags = try await Self.flagsOfRun()
        let read = Set(try await HostCommand.check(try TestEnvironment.agentBinary(), ["environment"]).split(separator: "\n").map(String.init))
        let unread = flags.map { Self.variable($0.name) }.filter { !read.contains($0) }
        #expect(unread.isEmpty, "`clc-node run` does not read \(unread) from the environment: EnvironmentFlags.options(of:) should derive one for each shown flag")
    }

    @Test("the env file is exactly what scripts/gen-env-file.py writes from the binary")
    func envFileIsGenerated() async throws {
        let generated = try await HostCommand.check(
            "/usr/bin/python3", [TestEnvironment.repositoryRoot + "/scripts/gen-env-file.py", try TestEnvironment.agentBinary()])
        #expect(generated == (try Self.envFile()), "systemd/clc-node.env is stale: run scripts/gen-env-file.py .build/debug/clc-node > systemd/clc-node.env")
    }

    @Test("the env file with every line set to its default passes the agent's own checks")
    func envFileDefaultsValidate() async throws {
        let assignments = EnvironmentFileText.lines(try Self.envFile()).map { "\($0.key)=\($0.value)" }
        let result = try await HostCommand.run("/usr/bin/env", ["-i"] + assignments + [try TestEnvironment.agentBinary(), "environment", "--check"])
        #expect(result.succeeded, "clc-node environment --check: \(result.errors)")
        #expect(result.output.hasPrefix("ok"))
    }

    @Test("an invalid value in the environment is refused, naming its flag")
    func invalidValueIsNamed() async throws {
        let result = try await HostCommand.run(
            "/usr/bin/env", ["-i", "CLC_NODE_PROXY_MODE=iptables", try TestEnvironment.agentBinary(), "environment", "--check"])
        #expect(!result.succeeded)
        #expect(result.errors.contains("--proxy-mode"), "\(result.errors)")
    }

    @Test("the unit restarts forever, waits long for READY=1 and reads both distributions' env files")
    func unitDirectives() throws {
        let unit = try String(contentsOfFile: Self.systemdDirectory + "/clc-node.service", encoding: .utf8)
        let sections = unit.components(separatedBy: "\n[")
        let unitSection = try #require(sections.first { $0.hasPrefix("[Unit]") || $0.hasPrefix("Unit]") })
        let service = try #require(sections.first { $0.hasPrefix("Service]") })
        #expect(unitSection.contains("\nStartLimitIntervalSec=0\n"), "StartLimitIntervalSec=0 belongs in [Unit]")
        for directive in [
            "Type=notify", "Restart=always", "RestartSec=5", "WatchdogSec=30s", "KillMode=process", "TimeoutStartSec=",
            "EnvironmentFile=-/etc/default/clc-node", "EnvironmentFile=-/etc/sysconfig/clc-node",
        ] {
            #expect(service.contains("\n" + directive), "[Service] lacks \(directive)")
        }
    }

    @Test("the unit passes systemd-analyze verify with the built binary as ExecStart")
    func unitVerifies() async throws {
        let directory = try TestEnvironment.temporaryDirectory("clc-units")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let unit = try String(contentsOfFile: Self.systemdDirectory + "/clc-node.service", encoding: .utf8)
        try SystemdAnalyze.render(unit: unit, binary: try TestEnvironment.agentBinary())
            .write(toFile: directory + "/clc-node.service", atomically: true, encoding: .utf8)
        let problems = try await SystemdAnalyze.verify(directory: directory, units: ["clc-node.service"])
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test("a unit with an unknown key fails the check: the verify helper sees warnings")
    func verifySeesWarnings() async throws {
        let directory = try TestEnvironment.temporaryDirectory("clc-units")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "[Service]\nType=notify\nExecStart=/bin/true\nTimeoutStartSecs=5\n".write(toFile: directory + "/bad.service", atomically: true, encoding: .utf8)
        let problems = try await SystemdAnalyze.verify(directory: directory, units: ["bad.service"])
        #expect(problems.contains { $0.contains("TimeoutStartSecs") }, "\(problems)")
    }

    @Test("the Docker drop-in passes systemd-analyze verify on Debian's docker.service and reads /run/flannel/docker")
    func dockerDropInVerifies() async throws {
        let dockerUnit = "/lib/systemd/system/docker.service"
        guard FileManager.default.fileExists(atPath: dockerUnit) else {
            throw TestEnvironmentError("\(dockerUnit) is missing: run scripts/install-deps.sh (package docker.io)")
        }
        let directory = try TestEnvironment.temporaryDirectory("clc-units")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/docker.service.d", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: dockerUnit, toPath: directory + "/docker.service")
        let dropIn = try String(contentsOfFile: Self.systemdDirectory + "/docker.service.d/flannel.conf", encoding: .utf8)
        try dropIn.write(toFile: directory + "/docker.service.d/flannel.conf", atomically: true, encoding: .utf8)
        let problems = try await SystemdAnalyze.verify(directory: directory, units: ["docker.service"])
        #expect(problems.isEmpty, "\(problems)")
        #expect(dropIn.contains("\nEnvironmentFile=-/run/flannel/docker\n"))
        let execStart = try #require(dropIn.split(separator: "\n").last { $0.hasPrefix("ExecStart=/") })
        #expect(execStart.contains("$DOCKER_OPT_MTU"))
        #expect(!execStart.contains("DOCKER_OPT_BIP") && !execStart.contains("DOCKER_NETWORK_OPTIONS"), "docker0 must not take the lease's subnet")
    }
}
