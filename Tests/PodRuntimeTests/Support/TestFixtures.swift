import Foundation
import KubeAPI
import Logging

@testable import PodRuntime

/// Inputs shared by the suites: the guestbook manifests, a base pod, fixed dates and a silent
/// logger.
enum TestFixtures {
    /// `<repo>/../shared/guestbook`: `shared` sits beside the repository's root folder, and this
    /// file is `<repo>/Tests/PodRuntimeTests/Support/TestFixtures.swift`.
    static let guestbookDirectory: URL = {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent()  // .../Support
            .deletingLastPathComponent()  // .../PodRuntimeTests
            .deletingLastPathComponent()  // .../Tests
            .deletingLastPathComponent()  // <repo>
            .deletingLastPathComponent()  // <repo>/..
            .appendingPathComponent("shared")
            .appendingPathComponent("guestbook")
    }()

    static func guestbook(_ name: String) throws -> [KubeObject] {
        let url = guestbookDirectory.appendingPathComponent(name)
        return try ManifestDecoder.decode(try Data(contentsOf: url), source: url.path)
    }

    /// The only pod of one container, `app`, restartPolicy Always, uid `uid-1`, defaults applied.
    static let basePod = Pod(
        metadata: ObjectMeta(name: "web", namespace: "default", uid: "uid-1"),
        spec: PodSpec(containers: [Container(name: "app", image: "redis:7")], restartPolicy: "Always")
    ).withDefaults()

    /// A fixed moment all test times count from.
    static let epoch = Date(timeIntervalSince1970: 1_700_000_000)

    static func at(_ seconds: TimeInterval) -> Date { epoch.addingTimeInterval(seconds) }

    static let logger = Logger(label: "PodRuntimeTests", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A running infra container with an address.
    static func sandbox(
        id: String = "infra-1", state: ObservedContainer.State = .running, attempt: Int = 0,
        ip: String? = "10.1.0.5", created: Date = at(0), network: SandboxNetwork = .defaultBridge
    ) -> ObservedContainer {
        ObservedContainer(
            id: id, name: ContainerLabels.infraContainerName, podUID: "uid-1", isInfra: true, state: state,
            restartCount: attempt, createdAt: created, startedAt: created, finishedAt: state == .exited ? at(50) : nil,
            ipAddress: state == .running ? ip : nil, network: network)
    }

    /// The pod network as set up, and the same network after it was recreated (a new lease).
    static let podNetwork = SandboxNetwork(name: "clc-pods", id: "net-2")
    static let earlierPodNetwork = SandboxNetwork(name: "clc-pods", id: "net-1")

    /// An instance of `name` whose hash matches the base pod's `app` unless told otherwise.
    static func container(
        id: String, name: String = "app", state: ObservedContainer.State, restartCount: Int = 0,
        exitCode: Int = 0, hash: String? = ContainerHash.of(basePod.spec.containers[0]),
        created: Date = at(1), started: Date? = at(2), finished: Date? = nil
    ) -> ObservedContainer {
        ObservedContainer(
            id: id, name: name, podUID: "uid-1", state: state, restartCount: restartCount, specHash: hash,
            exitCode: exitCode, createdAt: created, startedAt: started,
            finishedAt: finished ?? (state == .exited ? at(60) : nil), image: "redis:7", imageID: "sha256:redis")
    }
}
