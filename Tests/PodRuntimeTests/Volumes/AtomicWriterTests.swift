import Foundation
import Testing

@testable import PodRuntime

@Suite("The atomic writer lays out volumes as kubelet: a timestamped directory behind ..data, swapped in one rename")
struct AtomicWriterTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clc-atomic-\(UUID().uuidString)").path

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }

    func link(_ name: String) -> String? { try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\(name)") }

    func mode(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: "\(directory)/\(path)")[.posixPermissions] as? Int) ?? -1
    }

    func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: "\(directory)/\(path)").map { String(decoding: $0, as: UTF8.self) }
    }

    @Test("a first write makes ..<time>, ..data pointing at it, and one link per top-level name")
    func firstWrite() throws {
        defer { cleanUp() }
        let stamp = Date(timeIntervalSince1970: 1_764_795_270)  // 2025-12-03 20:54:30 UTC
        let writer = AtomicWriter(targetDirectory: directory, now: { stamp })
        #expect(try writer.write(["token": FileProjection("t1", mode: 0o644), "sub/inner": FileProjection("i", mode: 0o600)]))
        let data = try #require(link("..data"))
        #expect(data.hasPrefix("..2025_12_03_20_54_30."))
        #expect(link("token") == "..data/token")
        #expect(link("sub") == "..data/sub")
        #expect(read("token") == "t1")
        #expect(read("sub/inner") == "i")
        #expect(try mode("\(data)") == 0o755)
        #expect(try mode("\(data)/token") == 0o644)
        #expect(try mode("\(data)/sub/inner") == 0o600)
    }

    @Test("an update swaps ..data to a new directory, drops names gone from the payload and the old directory")
    func update() throws {
        defer { cleanUp() }
        let writer = AtomicWriter(targetDirectory: directory)
        try writer.write(["a": FileProjection("1", mode: 0o644), "b": FileProjection("2", mode: 0o644)])
        let first = try #require(link("..data"))
        #expect(try writer.write(["a": FileProjection("one", mode: 0o400), "c": FileProjection("3", mode: 0o644)]))
        let second = try #require(link("..data"))
        #expect(first != second)
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/\(first)"))
        #expect(read("a") == "one")
        #expect(try mode("\(second)/a") == 0o400)
        #expect(link("b") == nil)
        #expect(link("c") == "..data/c")
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/..data_tmp"))
        let entries = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(entries == [second, "..data", "a", "c"].sorted())
    }

    @Test("an equal payload writes nothing; a changed mode alone is a change")
    func unchanged() throws {
        defer { cleanUp() }
        let writer = AtomicWriter(targetDirectory: directory)
        try writer.write(["a": FileProjection("1", mode: 0o644)])
        let first = link("..data")
        #expect(try writer.write(["a": FileProjection("1", mode: 0o644)]) == false)
        #expect(link("..data") == first)
        #expect(try writer.write(["a": FileProjection("1", mode: 0o640)]))
        #expect(link("..data") != first)
    }

    @Test("an empty payload leaves an empty ..data directory and no names")
    func empty() throws {
        defer { cleanUp() }
        let writer = AtomicWriter(targetDirectory: directory)
        try writer.write(["a": FileProjection("1", mode: 0o644)])
        try writer.write([:])
        #expect(link("a") == nil)
        #expect(link("..data") != nil)
    }

    @Test("paths that leave the volume or hide behind .. are refused before anything is written", arguments: ["/etc/passwd", "../x", "a/../../x", "..data", "..x"])
    func invalidPaths(path: String) {
        defer { cleanUp() }
        #expect(throws: AtomicWriterError.self) {
            try AtomicWriter(targetDirectory: directory).write([path: FileProjection("x", mode: 0o644)])
        }
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/..data"))
    }

    @Test("a subPath through a user-visible name resolves to the payload directory, not the link")
    func payloadPath() throws {
        defer { cleanUp() }
        try AtomicWriter(targetDirectory: directory).write(["config.yaml": FileProjection("x", mode: 0o644)])
        let data = try #require(link("..data"))
        #expect(AtomicWriter.payloadPath(volume: directory, subPath: "config.yaml") == "\(data)/config.yaml")
        let resolved = try SubPathResolver.resolve(volumeRoot: directory, subPath: AtomicWriter.payloadPath(volume: directory, subPath: "config.yaml"))
        #expect(resolved.hasSuffix("/\(data)/config.yaml"))
    }
}
