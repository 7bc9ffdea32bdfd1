import DockerEngine
import Foundation
import KubeAPI
import Testing

@testable import PodRuntime

@Suite("hostPath types checked as kubelet, and memory emptyDirs as tmpfs", .serialized)
struct VolumeTypeTests {
    struct Setup {
        let clock = TestClock(TestFixtures.epoch)
        let engine: FakeDockerEngine
        let syncer: PodSyncer
        let state: String

        init() {
            engine = FakeDockerEngine(clock: clock, images: ["redis:7"])
            state = FileManager.default.temporaryDirectory.appendingPathComponent("clc-node-\(UUID().uuidString)").path
            let clock = clock
            syncer = PodSyncer(
                engine: engine, configuration: .init(nodeName: "node-a", nodeIP: nil, infraImage: "clc-node/pause:1", stateDirectory: state),
                events: RecordingEventRecorder(), infraImage: InfraImageProvisioner(engine: engine, logger: TestFixtures.logger),
                logger: TestFixtures.logger, now: { clock.now })
        }

        func sync(_ volume: Volume) async throws -> PodSyncer.Outcome {
            let pod = Pod(
                metadata: ObjectMeta(name: "web", namespace: "default", uid: "uid-1"),
                spec: PodSpec(
                    containers: [Container(name: "app", image: "redis:7", volumeMounts: [VolumeMount(name: "v", mountPath: "/v")])],
                    volumes: [volume])
            ).withDefaults()
            return try await syncer.sync(uid: "uid-1", pod: pod, services: [])
        }
    }


    /// (type, path under the scratch directory or absolute, passes)
    static let cases: [(String, String, Bool)] = [
        ("Directory", "dir", true), ("Directory", "file", false), ("Directory", "missing", false),
        ("File", "file", true), ("File", "dir", false),
        ("CharDevice", "/dev/null", true), ("CharDevice", "file", false), ("BlockDevice", "/dev/null", false),
        ("Socket", "file", false), ("", "missing-untyped", true), ("Bogus", "dir", false),
    ]

    @Test("each hostPath type passes only for its kind of file, and a failure names spec.volumes[0].hostPath.type", arguments: cases)
    func types(type: String, path: String, passes: Bool) async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("clc-hostpath-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try FileManager.default.createDirectory(atPath: scratch + "/dir", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: scratch + "/file", contents: Data())
        let full = path.hasPrefix("/") ? path : "\(scratch)/\(path)"
        let setup = Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.state) }
        let outcome = try await setup.sync(Volume(name: "v", hostPath: HostPathVolumeSource(path: full, type: type)))
        if passes {
            #expect(outcome.waiting.isEmpty, "\(outcome.waiting)")
        } else {
            #expect(outcome.waiting["app"]?.reason == "CreateContainerConfigError")
            #expect(outcome.waiting["app"]?.message.contains("spec.volumes[0].hostPath.type") == true)
        }
    }

    @Test("DirectoryOrCreate and FileOrCreate create what is missing; FileOrCreate never writes through a planted link")
    func orCreate() async throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("clc-hostpath-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let setup = Setup()
        #expect(try await setup.sync(Volume(name: "v", hostPath: HostPathVolumeSource(path: base + "/a/b", type: "DirectoryOrCreate"))).waiting.isEmpty)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: base + "/a/b", isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(try await Setup().sync(Volume(name: "v", hostPath: HostPathVolumeSource(path: base + "/a/f", type: "FileOrCreate"))).waiting.isEmpty)
        #expect(FileManager.default.fileExists(atPath: base + "/a/f"))

        try FileManager.default.createSymbolicLink(atPath: base + "/a/dangling", withDestinationPath: base + "/outside")
        let linked = try await Setup().sync(Volume(name: "v", hostPath: HostPathVolumeSource(path: base + "/a/dangling", type: "FileOrCreate")))
        #expect(linked.waiting["app"]?.reason == "CreateContainerConfigError")
        #expect(!FileManager.default.fileExists(atPath: base + "/outside"))
    }

    @Test("a medium Memory emptyDir is a tmpfs of sizeLimit, shared by the pod, unmounted and removed with the pod (needs root)")
    func memory() async throws {
        let setup = Setup()
        let directory = "\(setup.state)/pods/uid-1/volumes/kubernetes.io~empty-dir/v"
        defer {
            umount2(directory, Int32(MNT_DETACH))
            try? FileManager.default.removeItem(atPath: setup.state)
        }
        let outcome = try await setup.sync(Volume(name: "v", emptyDir: EmptyDirVolumeSource(medium: "Memory", sizeLimit: Quantity("4Mi"))))
        #expect(outcome.waiting.isEmpty, "\(outcome.waiting)")
        let mounts = try Self.mounts()
        let line = try #require(mounts.split(separator: "\n").first { $0.contains(" \(directory) ") }, "no tmpfs on \(directory)")
        #expect(line.hasPrefix("tmpfs "))
        #expect(line.contains("size=4096k"))
        #expect(setup.engine.container(named: "k8s_app_web_default_uid-1_0")?.config.hostConfig.binds == ["\(directory):/v"])

        _ = try await setup.syncer.sync(uid: "uid-1", pod: nil, services: [])
        try await setup.syncer.removeAll(uid: "uid-1")
        #expect(!(try Self.mounts()).contains(directory))
        #expect(!FileManager.default.fileExists(atPath: "\(setup.state)/pods/uid-1"))
    }

    /// /proc/self/mounts whole (its size reads as 0, so read it to the end).
    static func mounts() throws -> String {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/mounts"))
        defer { try? handle.close() }
        return String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
    }

    @Test("an unknown emptyDir medium is refused naming the field")
    func unknownMedium() async throws {
        let outcome = try await Setup().sync(Volume(name: "v", emptyDir: EmptyDirVolumeSource(medium: "HugePages-2Mi")))
        #expect(outcome.waiting["app"]?.message.contains("spec.volumes[0].emptyDir.medium") == true)
    }
}

@Suite("Unsafe pod UIDs never become paths")
struct UnsafeUIDTests {
    @Test("removing the pod of a UID such as ../.. removes nothing outside the pods directory")
    func removeAllGuarded() async throws {
        let setup = VolumeTypeTests.Setup()
        let victim = "\(setup.state)/victim"
        try FileManager.default.createDirectory(atPath: "\(setup.state)/pods", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: victim, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: setup.state) }
        try await setup.syncer.removeAll(uid: "../victim")
        #expect(FileManager.default.fileExists(atPath: victim))
    }
}
