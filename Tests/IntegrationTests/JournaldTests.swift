import Foundation
import TestSupport
import Testing

/// The agent under a real `systemd-journald` (a private one: scripts/journald-sandbox.sh), as
/// systemd runs it: stderr is a journal stream named by `$JOURNAL_STREAM`, so it logs
/// structured entries. An operator's `journalctl POD_NAME=... -o json` must find a pod's life.
@Suite("Journald end to end")
struct JournaldTests {
    /// One entry of `journalctl -o json`: every field as text (binary fields are left out).
    typealias Entry = [String: String]

    /// The sandbox's journal directory for this machine, read with `journalctl -D`.
    private static func journalDirectory(_ sandbox: String) throws -> String {
        let machineID = try String(contentsOfFile: "/etc/machine-id", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return sandbox + "/journal/" + machineID
    }

    /// The entries matching `matches` (journalctl's FIELD=value arguments).
    private static func entries(_ directory: String, _ matches: [String]) async throws -> [Entry] {
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        let output = try await HostCommand.check("/usr/bin/journalctl", ["-D", directory, "-o", "json", "--no-pager"] + matches)
        return output.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return object.compactMapValues { $0 as? String }
        }
    }

    @Test("a pod's start and stop are journal entries with its pod, container and code fields")
    func podLifecycleEntries() async throws {
        for tool in ["/usr/bin/journalctl", "/lib/systemd/systemd-journald", "/usr/bin/systemd-cat", "/usr/bin/unshare"] {
            guard FileManager.default.isExecutableFile(atPath: tool) else {
                throw TestEnvironmentError("\(tool) is missing: run scripts/install-deps.sh (packages systemd, util-linux)")
            }
        }
        guard getuid() == 0 else { throw TestEnvironmentError("the journald test needs root (a mount namespace)") }
        let sandbox = try TestEnvironment.temporaryDirectory("clc-journald")
        let docker = try TestDocker()
        let node = TestEnvironment.uniqueNodeName("journal")
        let manifests = try TestEnvironment.temporaryDirectory("clc-manifests")
        let agent = try AgentProcess(
            nodeName: node, manifestDirectory: manifests,
            launcher: ["/bin/bash", TestEnvironment.repositoryRoot + "/scripts/journald-sandbox.sh", sandbox])
        defer {
            agent.stop(signal: SIGTERM)
            agent.cleanUp()
            try? FileManager.default.removeItem(atPath: manifests)
            try? FileManager.default.removeItem(atPath: sandbox)
            Task { await docker.removeAll(node: node) }
        }
        let directory = try Self.journalDirectory(sandbox)
        let podName = "logged-\(node)"
        do {
            try writeManifest(busyboxPod(name: "logged", grace: 1), to: manifests, name: "logged.json")
            let started = try await eventually("the pod's \"started container\" entry", timeout: .seconds(60)) {
                try await Self.entries(directory, ["POD_NAME=\(podName)", "MESSAGE=started container", "CONTAINER_NAME=app"]).count == 1
            }
            print("journal: started container entry after \(started)")
            try FileManager.default.removeItem(atPath: manifests + "/logged.json")
            try await eventually("the pod's \"stopped container\" entry", timeout: .seconds(60)) {
                try await !Self.entries(directory, ["POD_NAME=\(podName)", "MESSAGE=stopped container", "CONTAINER_NAME=app"]).isEmpty
            }
        } catch {
            let journald = (try? String(contentsOfFile: sandbox + "/journald.log", encoding: .utf8)) ?? ""
            let all = (try? await Self.entries(directory, [])) ?? []
            Issue.record("journal entries so far: \(all.suffix(20).map { $0["MESSAGE"] ?? "" }); journald: \(journald); agent: \(agent.log)")
            throw error
        }

        let lifecycle = try await Self.entries(directory, ["POD_NAME=\(podName)"])
        let start = try #require(lifecycle.first { $0["MESSAGE"] == "started container" })
        let stop = try #require(lifecycle.first { $0["MESSAGE"] == "stopped container" })
        for (what, entry) in [("started", start), ("stopped", stop)] {
            for field in ["POD_NAMESPACE", "POD_UID", "CONTAINER_NAME", "CONTAINER_ID", "PRIORITY", "CODE_FILE", "CODE_LINE", "CODE_FUNC"] {
                #expect(!(entry[field] ?? "").isEmpty, "the \(what) container entry has no \(field): \(entry)")
            }
            #expect(entry["POD_NAMESPACE"] == "default")
            #expect(entry["CONTAINER_NAME"] == "app")
            #expect(entry["PRIORITY"] == "6", "info is priority 6")
            #expect(entry["SYSLOG_IDENTIFIER"] == "clc-node")
            #expect(Int(entry["CODE_LINE"] ?? "") != nil)
            #expect(entry["CODE_FILE"]?.hasSuffix(".swift") == true)
        }
        #expect(start["POD_UID"] == stop["POD_UID"])
        #expect(start["CONTAINER_ID"] == stop["CONTAINER_ID"], "both name the same container")
        let containers = try await docker.containers(node: node).filter { $0.labels["io.kubernetes.docker.type"] == "container" }
        #expect(containers.allSatisfy { $0.id.hasPrefix(start["CONTAINER_ID"] ?? "-") })

        // The operator's other queries: the agent's own warnings, the pods it logged about.
        let podNames = try await HostCommand.check("/usr/bin/journalctl", ["-D", directory, "-F", "POD_NAME"])
        #expect(podNames.split(separator: "\n").contains { $0 == podName })
    }
}
