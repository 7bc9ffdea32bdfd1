import Foundation
import Glibc
import KubeAPI
import Testing

@testable import PodRuntime

private let pod = """
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      containers:
      - name: app
        image: nginx:1.25

    """

private func controller(replicas: Int) -> String {
    """
    {"kind": "ReplicationController", "apiVersion": "v1", "metadata": {"name": "frontend"},
     "spec": {"replicas": \(replicas), "template": {"metadata": {"labels": {"name": "frontend"}},
       "spec": {"containers": [{"name": "php", "image": "php"}]}}}}
    """
}

/// A scan that must not block: a FIFO opened for reading would wait for a writer forever.
private func scanPromptly(_ directory: ManifestDirectory) async throws -> ManifestSnapshot {
    let scanner = try directory.scanner()
    let path = directory.path
    let task = Task.detached {
        var scanner = scanner
        return scanner.scan()
    }
    let timeout = Task.detached {
        try await Task.sleep(for: .seconds(10))
        Issue.record("the scan blocked for 10 s")
        // Unblock the reader (a writer opens the FIFO, closes it) so the test ends.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            let fd = open("\(path)/\(name)", O_WRONLY | O_NONBLOCK)
            if fd >= 0 { close(fd) }
        }
    }
    defer { timeout.cancel() }
    return await task.value
}

@Suite("Manifest files are bounded", .timeLimit(.minutes(1)))
struct ManifestBoundsTests {
    @Test("a FIFO, a symlink to a FIFO, to a directory and to a device are each refused by name while the other manifests run")
    func specialFilesRefused() async throws {
        let directory = try ManifestDirectory()
        try directory.write("web.yaml", pod)
        let fifo = "\(directory.path)/.fifo-target"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(mkfifo("\(directory.path)/pipe.yaml", 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: "\(directory.path)/to-fifo.yaml", withDestinationPath: fifo)
        try FileManager.default.createSymbolicLink(atPath: "\(directory.path)/to-dir.yaml", withDestinationPath: "/tmp")
        try FileManager.default.createSymbolicLink(atPath: "\(directory.path)/to-zero.yaml", withDestinationPath: "/dev/zero")

        let snapshot = try await scanPromptly(directory)
        #expect(snapshot.pods.compactMap(\.metadata.name) == ["web-node-a"])
        #expect(snapshot.problems["\(directory.path)/pipe.yaml"] == "manifest \(directory.path)/pipe.yaml is a FIFO, not a regular file: not read")
        #expect(snapshot.problems["\(directory.path)/to-fifo.yaml"] == "manifest \(directory.path)/to-fifo.yaml is a FIFO, not a regular file: not read")
        #expect(snapshot.problems["\(directory.path)/to-dir.yaml"] == "manifest \(directory.path)/to-dir.yaml is a directory, not a regular file: not read")
        #expect(snapshot.problems["\(directory.path)/to-zero.yaml"] == "manifest \(directory.path)/to-zero.yaml is a character device, not a regular file: not read")
        #expect(snapshot.problems.count == 4)
    }

    @Test("a symlink to a regular manifest is followed")
    func symlinkToRegularFileRead() async throws {
        let directory = try ManifestDirectory()
        try directory.write(".real", pod)
        try FileManager.default.createSymbolicLink(atPath: "\(directory.path)/web.yaml", withDestinationPath: "\(directory.path)/.real")
        let snapshot = try await scanPromptly(directory)
        #expect(snapshot.pods.compactMap(\.metadata.name) == ["web-node-a"])
        #expect(snapshot.problems.isEmpty)
    }

    @Test("reading a FIFO swapped in after the first look is refused on the open descriptor, without blocking")
    func fifoReadRefused() throws {
        let directory = try ManifestDirectory()
        let path = "\(directory.path)/late.yaml"
        #expect(mkfifo(path, 0o600) == 0)
        #expect(throws: ManifestFileError(path: path, reason: .notRegular(kind: "FIFO"))) { _ = try ManifestFile.read(path) }
    }

    @Test("a manifest one byte over 1 MiB is refused by name; one of exactly 1 MiB is read")
    func sizeLimit() async throws {
        let directory = try ManifestDirectory()
        let padding = { (total: Int) in pod + "#" + String(repeating: "x", count: total - pod.utf8.count - 2) + "\n" }
        try directory.write("exact.yaml", padding(1 << 20))
        try directory.write("over.yaml", padding((1 << 20) + 1).replacingOccurrences(of: "name: web", with: "name: big"))
        #expect(try FileManager.default.attributesOfItem(atPath: "\(directory.path)/exact.yaml")[.size] as? Int == 1 << 20)
        let snapshot = try await scanPromptly(directory)
        #expect(snapshot.pods.compactMap(\.metadata.name) == ["web-node-a"])
        #expect(
            snapshot.problems == [
                "\(directory.path)/over.yaml": "manifest \(directory.path)/over.yaml is \((1 << 20) + 1) bytes, more than the limit of 1048576 bytes: not read"
            ])
    }

    @Test("the read stops one byte past the limit however the file grew since it was looked at")
    func readStopsPastLimit() throws {
        let directory = try ManifestDirectory()
        try directory.write("grown.yaml", String(repeating: "x", count: 5000))
        let path = "\(directory.path)/grown.yaml"
        #expect(throws: ManifestFileError(path: path, reason: .tooLarge(size: 5000, limit: 4096))) {
            _ = try ManifestFile.read(path, maxBytes: 4096)
        }
        #expect(try ManifestFile.read(path, maxBytes: 5000).count == 5000)
    }

    @Test("a replication controller asking for more replicas than the node's 110 pods is refused naming it and spec.replicas")
    func replicasOverCapacity() {
        let expander = ManifestExpander(nodeName: "node-a")
        #expect(expander.maxPods == 110)
        let objects = try? ManifestDecoder.decode(Data(controller(replicas: 111).utf8), source: "rc.json")
        let result = expander.expand(objects ?? [], path: "rc.json")
        #expect(result.pods.isEmpty)
        #expect(
            result.problems == [
                "replicationcontroller frontend: spec.replicas: Invalid value: \"111\": must be at most the node's pod capacity (110)"
            ])
    }

    @Test("a replication controller of exactly the node's pod capacity expands to that many pods")
    func replicasAtCapacity() throws {
        let objects = try ManifestDecoder.decode(Data(controller(replicas: 110).utf8), source: "rc.json")
        let result = ManifestExpander(nodeName: "node-a").expand(objects, path: "rc.json")
        #expect(result.problems.isEmpty)
        #expect(result.pods.count == 110)
        let smaller = ManifestExpander(nodeName: "node-a", maxPods: 5).expand(objects, path: "rc.json")
        #expect(smaller.pods.isEmpty)
        #expect(smaller.problems.first?.contains("pod capacity (5)") == true)
    }

    @Test("the pod capacity the node reports is the expander's bound")
    func capacityMatches() {
        #expect(NodeCapacity.defaultMaxPods == 110)
    }
}
