import Foundation
import Testing

@testable import KubeAPI

/// Seven levels of ten aliases, 10^7 nodes, used once as a mapping key: Yams' composer hashes
/// every key to find duplicates, so composing alone took seconds to minutes before any count
/// could run (found by the fuzz target `manifest`, Tests/Fuzz).
private let aliasKey = aliasLadder(levels: 7, leaf: "x") + "*g : lol\n"

@Suite("YAML aliases as mapping keys")
struct YAMLAliasKeyTests {
    @Test("an alias of a huge node as a mapping key is refused quickly, before the document is composed")
    func aliasKeyRefused() {
        let started = ContinuousClock.now
        let limit = ManifestDecoder.yamlNodeBudget(bytes: aliasKey.utf8.count)
        #expect(throws: ManifestError(source: "key.yaml", reason: .excessiveAliasing(limit: limit))) {
            try ManifestDecoder.decode(Data(aliasKey.utf8), source: "key.yaml")
        }
        // Milliseconds on an idle machine; the bound leaves room for a loaded CI machine.
        #expect(ContinuousClock.now - started < .seconds(1))
    }

    @Test("the refusal names the document when the file holds several")
    func namesDocument() {
        let text = "kind: Service\nmetadata: {name: a}\n---\n" + aliasKey
        let limit = ManifestDecoder.yamlNodeBudget(bytes: text.utf8.count)
        #expect(throws: ManifestError(source: "key.yaml", document: 2, reason: .excessiveAliasing(limit: limit))) {
            try ManifestDecoder.decode(Data(text.utf8), source: "key.yaml")
        }
    }
}
