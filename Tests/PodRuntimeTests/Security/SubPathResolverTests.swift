import Foundation
import KubeAPI
import Testing

@testable import PodRuntime

/// A fresh directory under the temporary directory, removed by `cleanUp()`.
struct ScratchVolume {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("clc-subpath-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    /// The real path of the root (the temporary directory may itself be a link).
    var realRoot: String { URL(fileURLWithPath: root).resolvingSymlinksInPath().path }

    func directory(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: "\(root)/\(relative)", withIntermediateDirectories: true)
    }

    func file(_ relative: String) {
        FileManager.default.createFile(atPath: "\(root)/\(relative)", contents: Data("x".utf8))
    }

    func link(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: "\(root)/\(relative)", withDestinationPath: target)
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: root) }
}

@Suite("Resolving subPaths without following links out of the volume")
struct SubPathResolverTests {
    @Test("a directory and a file beneath the volume resolve to their real paths")
    func plainPaths() throws {
        let volume = try ScratchVolume()
        defer { volume.cleanUp() }
        try volume.directory("conf/nginx")
        volume.file("conf/nginx/site.conf")
        #expect(try SubPathResolver.resolve(volumeRoot: volume.root, subPath: "conf/nginx") == "\(volume.realRoot)/conf/nginx")
        #expect(
            try SubPathResolver.resolve(volumeRoot: volume.root, subPath: "./conf//nginx/site.conf")
                == "\(volume.realRoot)/conf/nginx/site.conf")
    }

    @Test("a missing subPath is created as a directory inside the volume, as kubelet does")
    func createsMissing() throws {
        let volume = try ScratchVolume()
        defer { volume.cleanUp() }
        let resolved = try SubPathResolver.resolve(volumeRoot: volume.root, subPath: "a/b/c")
        #expect(resolved == "\(volume.realRoot)/a/b/c")
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory) && isDirectory.boolValue)
    }

    @Test(
        "a link anywhere in the subPath is refused by name, wherever it points",
        arguments: [("escape", "escape"), ("escape/etc", "escape"), ("inner", "inner"), ("dir/up", "dir/up")])
    func linksRefused(subPath: String, named: String) throws {
        let volume = try ScratchVolume()
        defer { volume.cleanUp() }
        try volume.directory("dir/real")
        try volume.link("escape", to: "/")
        try volume.link("inner", to: "dir/real")
        try volume.link("dir/up", to: "../..")
        let error = #expect(throws: SubPathError.self) {
            try SubPathResolver.resolve(volumeRoot: volume.root, subPath: subPath)
        }
        #expect(error?.detail.contains("\"\(named)\" is a symbolic link") == true, "\(String(describing: error))")
    }

    @Test("a link under a missing path is not created through: mkdir never follows the planted link")
    func noCreationThroughLink() throws {
        let volume = try ScratchVolume()
        let outside = try ScratchVolume()
        defer {
            volume.cleanUp()
            outside.cleanUp()
        }
        try volume.link("out", to: outside.root)
        #expect(throws: SubPathError.self) { try SubPathResolver.resolve(volumeRoot: volume.root, subPath: "out/new") }
        #expect(!FileManager.default.fileExists(atPath: "\(outside.root)/new"))
    }

    @Test("absolute subPaths, '..' and a file in the middle are refused", arguments: ["/etc", "a/../..", "..", "f/x"])
    func lexicalRefusals(subPath: String) throws {
        let volume = try ScratchVolume()
        defer { volume.cleanUp() }
        volume.file("f")
        #expect(throws: SubPathError.self) { try SubPathResolver.resolve(volumeRoot: volume.root, subPath: subPath) }
    }

    @Test("a volume root that is a link (a hostPath on a linked directory) is followed: it is the node's own")
    func rootLinkFollowed() throws {
        let volume = try ScratchVolume()
        defer { volume.cleanUp() }
        try volume.directory("real/sub")
        try volume.link("alias", to: "real")
        #expect(
            try SubPathResolver.resolve(volumeRoot: "\(volume.root)/alias", subPath: "sub") == "\(volume.realRoot)/real/sub")
    }

    @Test("the builder names the mount's subPath field when the resolver refuses it")
    func builderNamesField() throws {
        let volume = try ScratchVolume()
        defer { volume.cleanUp() }
        try volume.link("root", to: "/")
        let builder = ContainerConfigBuilder(nodeName: "node-a", nodeIP: nil, infraImage: "pause")
        let pod = Pod(
            metadata: ObjectMeta(name: "web", namespace: "default", uid: "uid-1"),
            spec: PodSpec(
                containers: [
                    Container(name: "app", image: "redis:7", volumeMounts: [VolumeMount(name: "data", mountPath: "/host", subPath: "root")])
                ], volumes: [Volume(name: "data", emptyDir: EmptyDirVolumeSource())])
        ).withDefaults()
        let error = #expect(throws: ContainerConfigError.self) {
            try builder.appContainer(
                pod: pod, index: 0, restartCount: 0, sandboxID: "infra", serviceEnvironment: [],
                volumeHostPaths: ["data": volume.root], podIP: nil)
        }
        #expect(error?.field == "spec.containers[0].volumeMounts[0].subPath")
        #expect(error?.detail.contains("symbolic link") == true)
    }
}
