import Foundation
import TestSupport

/// One agent on its own node name and manifest directory, torn down with its containers.
final class AgentFixture: @unchecked Sendable {
    // @unchecked: used by one test at a time.
    let docker: TestDocker
    let node: String
    let manifests: String
    var agent: AgentProcess

    /// - Parameters:
    ///   - dockerSocket: the engine the agent drives; the test engine when nil.
    ///   - stateDirectory: the agent's `--state-dir`; a fresh temporary directory when nil.
    init(
        _ prefix: String, dockerSocket: String? = nil, extraArguments: [String] = [], environment: [String: String] = [:],
        stateDirectory: String? = nil
    ) throws {
        docker = try TestDocker(socketPath: dockerSocket)
        node = TestEnvironment.uniqueNodeName(prefix)
        manifests = try TestEnvironment.temporaryDirectory("clc-manifests")
        agent = try AgentProcess(
            nodeName: node, manifestDirectory: manifests, dockerSocket: dockerSocket, extraArguments: extraArguments,
            environment: environment, stateDirectory: stateDirectory)
    }

    func write(_ manifest: String, as name: String) throws {
        try writeManifest(manifest, to: manifests, name: name)
    }

    func copyGuestbook(_ files: [String]) throws {
        for file in files {
            let text = try String(contentsOfFile: TestEnvironment.guestbookDirectory + "/" + file, encoding: .utf8)
            try write(text, as: file)
        }
    }

    func tearDown() async {
        agent.cleanUp()
        await docker.removeAll(node: node)
        try? FileManager.default.removeItem(atPath: manifests)
    }
}
