import Foundation
import KubeAPI
import Testing

@Suite("Decoding manifests")
struct ManifestDecoderTests {
    @Test("a YAML pod with a bare number for cpu decodes it as the quantity 1")
    func yamlPodWithNumericCPU() throws {
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              labels:
                version: 2
            spec:
              containers:
              - name: web
                image: nginx:1.27
                ports:
                - containerPort: 80
                  name: http
                resources:
                  limits:
                    cpu: 1
                    memory: 512Mi
                  requests:
                    cpu: 0.5
                readinessProbe:
                  httpGet:
                    port: http
            """
        let pod = try #require(try Fixtures.decode(yaml).first?.pod)
        #expect(pod.metadata.labels == ["version": "2"])
        let container = try #require(pod.spec.containers.first)
        #expect(container.resources?.limits?["cpu"]?.text == "1")
        #expect(try container.resources?.limits?["cpu"]?.milliValue() == 1000)
        #expect(try container.resources?.limits?["memory"]?.value() == 536_870_912)
        #expect(try container.resources?.requests?["cpu"]?.milliValue() == 500)
        #expect(container.readinessProbe?.httpGet?.port == .string("http"))
        #expect(container.ports?.first?.containerPort == 80)
    }

    @Test("a multi-document YAML file yields a pod and a service, skipping empty documents")
    func multiDocumentYAML() throws {
        let yaml = """
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: a}
            spec:
              containers: [{name: a, image: busybox}]
            ---
            ---
            # only a comment
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: a}
            spec:
              ports: [{port: 80, targetPort: web}]
            """
        let objects = try Fixtures.decode(yaml)
        #expect(objects.map(\.kind) == ["Pod", "Service"])
        #expect(objects.last?.service?.spec.ports?.first?.targetPort == .string("web"))
    }

    @Test("a List of two pods decodes both, in order")
    func listOfPods() throws {
        let json = """
            {"kind": "List", "apiVersion": "v1", "items": [
              {"kind": "Pod", "metadata": {"name": "one"}, "spec": {"containers": [{"name": "c", "image": "x"}]}},
              {"kind": "Pod", "metadata": {"name": "two"}, "spec": {"containers": [{"name": "c", "image": "x"}]}}
            ]}
            """
        let objects = try Fixtures.decode(json, source: "list.json")
        #expect(objects.count == 1)
        #expect(objects.first?.pods.map(\.metadata.name) == ["one", "two"])
    }

    @Test("a PodList's items need no kind of their own")
    func typedList() throws {
        let json = #"{"kind": "PodList", "items": [{"metadata": {"name": "one"}}]}"#
        let objects = try Fixtures.decode(json)
        #expect(objects == [.list([.pod(Pod(metadata: ObjectMeta(name: "one")))])])
    }

    @Test("kinds this module does not model decode as other, lists of them too")
    func otherKinds() throws {
        let yaml = """
            kind: ConfigMap
            apiVersion: v1
            data: {a: b}
            ---
            kind: DeploymentList
            items: [{metadata: {name: d}}]
            """
        #expect(try Fixtures.decode(yaml) == [.other(kind: "ConfigMap"), .list([.other(kind: "Deployment")])])
    }

    @Test("unknown fields are ignored")
    func unknownFieldsIgnored() throws {
        let json = """
            {"kind": "Pod", "apiVersion": "v1", "futureField": {"x": [1, 2]},
             "metadata": {"name": "p", "managedFields": [{"manager": "kubectl"}]},
             "spec": {"schedulerName": "default-scheduler", "tolerations": [],
                      "containers": [{"name": "c", "image": "x", "terminationMessagePolicy": "File"}]},
             "status": {"phase": "Running", "nominatedNodeName": "n"}}
            """
        let pod = try #require(try Fixtures.decode(json).first?.pod)
        #expect(pod.metadata.name == "p")
        #expect(pod.status?.phase == "Running")
    }

    @Test("an empty file or a file of comments holds no objects")
    func emptyFile() throws {
        #expect(try Fixtures.decode("") == [])
        #expect(try Fixtures.decode("# nothing here\n---\n") == [])
    }

    @Test(
        "a type mismatch names the source and the field path",
        arguments: [
            (
                #"{"kind": "Pod", "spec": {"containers": [{"name": "c", "ports": [{"containerPort": "eighty"}]}]}}"#,
                "pod.json"
            ),
            (
                """
                kind: Pod
                spec:
                  containers:
                  - name: c
                    ports:
                    - containerPort: eighty
                """,
                "pod.yaml"
            ),
        ])
    func typeMismatchNamesField(text: String, source: String) throws {
        let error = try #require(throws: ManifestError.self) { try Fixtures.decode(text, source: source) }
        #expect(
            error.reason
                == .typeMismatch(field: "spec.containers[0].ports[0].containerPort", expected: "a 32-bit integer"))
        #expect(error.source == source)
        #expect(error.description.hasPrefix("\(source): spec.containers[0].ports[0].containerPort: expected"))
    }

    @Test("a JSON number out of range is located by field, not reported as a syntax error")
    func jsonNumberOutOfRange() throws {
        let json = #"{"kind": "Pod", "spec": {"containers": [{"#
            + #""name": "c", "ports": [{"containerPort": 99999999999}]}]}}"#
        let error = try #require(throws: ManifestError.self) { try Fixtures.decode(json, source: "p.json") }
        guard case .typeMismatch(let field, _) = error.reason else {
            Issue.record("expected a type mismatch, got \(error)")
            return
        }
        #expect(field == "spec.containers[0].ports[0].containerPort")
    }

    @Test("a missing kind is reported with the list item it belongs to")
    func missingKind() throws {
        let rootError = try #require(throws: ManifestError.self) {
            try Fixtures.decode(#"{"metadata": {"name": "x"}}"#, source: "a.json")
        }
        #expect(rootError.reason == .missingKind(field: ""))
        let itemError = try #require(throws: ManifestError.self) {
            try Fixtures.decode("kind: List\nitems:\n- kind: Pod\n- metadata: {name: x}\n", source: "b.yaml")
        }
        #expect(itemError.reason == .missingKind(field: "items[1]"))
        #expect(itemError.description.contains("b.yaml"))
    }

    @Test("a YAML syntax error carries its line")
    func yamlSyntaxError() throws {
        let yaml = "kind: Pod\nspec:\n  containers: [\n  - name: x\n"
        let error = try #require(throws: ManifestError.self) { try Fixtures.decode(yaml, source: "bad.yaml") }
        guard case .syntax(let format, _, let line, _) = error.reason else {
            Issue.record("expected a syntax error, got \(error)")
            return
        }
        #expect(format == "YAML")
        #expect(line != nil)
        #expect(error.description.hasPrefix("bad.yaml: line "))
    }

    @Test("a JSON syntax error carries its line and column")
    func jsonSyntaxError() throws {
        let json = "{\n  \"kind\": \"Pod\",\n  \"spec\": x\n}"
        let error = try #require(throws: ManifestError.self) { try Fixtures.decode(json, source: "bad.json") }
        guard case .syntax(let format, _, let line, let column) = error.reason else {
            Issue.record("expected a syntax error, got \(error)")
            return
        }
        #expect(format == "JSON")
        #expect(line == 3)
        #expect(column == 11)
    }

    @Test("the document number is named when a file holds several")
    func documentNumber() throws {
        let yaml = "kind: Service\nspec: {ports: [{port: 80}]}\n---\nkind: Service\nspec: {ports: [{port: x}]}\n"
        let error = try #require(throws: ManifestError.self) { try Fixtures.decode(yaml, source: "s.yaml") }
        #expect(error.document == 2)
        #expect(error.reason == .typeMismatch(field: "spec.ports[0].port", expected: "a 32-bit integer"))
        #expect(error.description.hasPrefix("s.yaml: document 2: spec.ports[0].port:"))
    }

    @Test("a required field that is missing is named")
    func missingRequiredField() throws {
        let json = #"{"kind": "Pod", "spec": {"containers": [{"image": "x"}]}}"#
        let error = try #require(throws: ManifestError.self) { try Fixtures.decode(json) }
        #expect(error.reason == .missingField(field: "spec.containers[0].name"))
    }
}
