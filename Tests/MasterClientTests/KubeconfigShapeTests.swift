import Foundation
import Testing

@testable import MasterClient

/// Kubeconfig files Yams cannot turn into dictionaries safely (found by the fuzz target
/// `kubeconfig`, Tests/Fuzz: a sequence as a mapping key trapped the agent at start).
@Suite("Kubeconfig files of the wrong shape")
struct KubeconfigShapeTests {
    func load(_ text: String) throws(KubeconfigError) -> Kubeconfig {
        let directory = NSTemporaryDirectory() + "kubeconfig-shape-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try? text.write(toFile: directory + "/kubeconfig", atomically: true, encoding: .utf8)
        return try Kubeconfig.load(path: directory + "/kubeconfig", credentialsDirectory: directory + "/credentials")
    }

    @Test("a mapping key that is a sequence is refused naming its line, not a trap")
    func sequenceKey() {
        do {
            _ = try load("apiVersion: v1\nusers:\n- name: a\n? - x\n  - y\n: z\n")
            Issue.record("the kubeconfig was accepted")
        } catch {
            #expect(error.detail.hasPrefix("a mapping key is not a string"))
            #expect(error.field == "")
        }
    }

    @Test("a billion-laughs kubeconfig is refused quickly, naming the bound")
    func billionLaughs() {
        var text = "clusters:\n- cluster: {server: \"http://master:8080\"}\na: &a [x,x,x,x,x,x,x,x,x,x]\n"
        for (level, previous) in zip("bcdefghi", "abcdefgh") {
            text += "\(level): &\(level) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ",") + "]\n"
        }
        let started = ContinuousClock.now
        do {
            _ = try load(text)
            Issue.record("the kubeconfig was accepted")
        } catch {
            #expect(error.detail.hasPrefix("YAML aliases expand it to more than "))
        }
        #expect(ContinuousClock.now - started < .seconds(1))
    }

    @Test("a kubeconfig that reuses an anchor a few times still loads")
    func modestAliases() throws {
        let config = try load("clusters:\n- name: a\n  cluster: &c {server: \"http://master:8080\"}\n- name: b\n  cluster: *c\n")
        #expect(config.server == "http://master:8080")
    }
}
