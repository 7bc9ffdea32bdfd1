import Foundation
import Testing

@testable import KubeAPI

/// Nine levels of ten aliases each: 10^9 strings once expanded.
private let billionLaughs = """
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: lol
    data:

    """ + aliasLadder(levels: 9, leaf: "\"lol\"", indent: "  ")

@Suite("YAML alias expansion is bounded")
struct YAMLAliasBoundTests {
    @Test("a billion-laughs document is refused quickly with a named error")
    func billionLaughsRefused() throws {
        let started = ContinuousClock.now
        do {
            _ = try ManifestDecoder.decode(Data(billionLaughs.utf8), source: "lol.yaml")
            Issue.record("the document was accepted")
        } catch {
            let limit = ManifestDecoder.yamlNodeBudget(bytes: billionLaughs.utf8.count)
            #expect(error == ManifestError(source: "lol.yaml", reason: .excessiveAliasing(limit: limit)))
            #expect(error.description == "lol.yaml: YAML aliases expand the document to more than \(limit) nodes: refused")
        }
        let took = ContinuousClock.now - started
        print("billion laughs refused in \(took)")
        // 100 ms on an idle machine; the bound leaves room for a loaded CI machine.
        #expect(took < .seconds(1))
    }

    @Test("a pod that reuses an anchor a few times decodes as written")
    func modestAliasesAccepted() throws {
        let text = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              labels: &labels {app: web, tier: front}
              annotations: *labels
            spec:
              containers:
              - name: a
                image: nginx
                env: &env [{name: A, value: "1"}, {name: B, value: "2"}]
              - name: b
                image: nginx
                env: *env
            """
        let objects = try ManifestDecoder.decode(Data(text.utf8), source: "web.yaml")
        guard case let .pod(pod) = objects.first else {
            Issue.record("not a pod: \(objects)")
            return
        }
        #expect(pod.metadata.annotations == ["app": "web", "tier": "front"])
        #expect(pod.spec.containers[1].env?.count == 2)
    }

    @Test("aliases expanding to exactly the budget pass and one node more is refused")
    func budgetEdge() throws {
        // The mapping, 2 keys, 2 sequences (one the alias of the other), 6 scalars.
        let yaml = "a: &x [1, 2, 3]\nb: *x\n"
        #expect(try ManifestDecoder.fitsNodeBudget(yaml, budget: 11))
        #expect(try !ManifestDecoder.fitsNodeBudget(yaml, budget: 10))
        // The count on libyaml's events, before composing, agrees with the composed one.
        #expect(YAMLExpansion.documentBeyond(yaml, budget: 11) == nil)
        #expect(YAMLExpansion.documentBeyond(yaml, budget: 10)?.document == 1)
    }
}
