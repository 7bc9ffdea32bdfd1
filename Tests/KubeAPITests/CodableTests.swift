import Foundation
import KubeAPI
import Testing

@Suite("Encoding and decoding API objects")
struct CodableTests {
    @Test("IntOrString round-trips numbers as numbers and names as strings")
    func intOrString() throws {
        let decoded = try JSONDecoder().decode([IntOrString].self, from: Data(#"[80, "http"]"#.utf8))
        #expect(decoded == [.int(80), .string("http")])
        #expect(String(decoding: try JSONEncoder().encode(decoded), as: UTF8.self) == #"[80,"http"]"#)
    }

    @Test("encoding leaves out unset fields")
    func omitsNil() throws {
        let pod = Pod(metadata: ObjectMeta(name: "p"), spec: PodSpec(containers: [Container(name: "c")]))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(pod), as: UTF8.self)
        #expect(json == #"{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]}}"#)
    }

    @Test("a pod survives an encode and decode unchanged")
    func roundTrip() throws {
        let pod = Fixtures.basePod
        let decoded = try JSONDecoder().decode(Pod.self, from: try JSONEncoder().encode(pod))
        #expect(decoded == pod)
    }

    @Test("a container status decodes with defaults for its required fields")
    func containerStatusDefaults() throws {
        let json = #"{"name": "c", "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}"#
        let status = try JSONDecoder().decode(ContainerStatus.self, from: Data(json.utf8))
        #expect(status.ready == false)
        #expect(status.restartCount == 0)
        #expect(status.image == "")
        #expect(status.state?.terminated?.exitCode == 137)
    }

    @Test("a watch ERROR event decodes as a Status with code 410")
    func watchError() throws {
        let line = #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","#
            + #""message":"too old resource version: 1 (5)","reason":"Expired","code":410}}"#
        let event = try JSONDecoder().decode(WatchEvent<Status>.self, from: Data(line.utf8))
        #expect(event.type == "ERROR")
        #expect(event.object.code == 410)
        #expect(event.object.reason == "Expired")
    }

    @Test("a pod list decodes its items and resource version")
    func podList() throws {
        let json = #"{"kind":"PodList","metadata":{"resourceVersion":"42","continue":"abc"},"#
            + #""items":[{"metadata":{"name":"a"}}]}"#
        let list = try JSONDecoder().decode(ObjectList<Pod>.self, from: Data(json.utf8))
        #expect(list.metadata?.resourceVersion == "42")
        #expect(list.metadata?.continue == "abc")
        #expect(list.items.map(\.metadata.name) == ["a"])
        let empty = try JSONDecoder().decode(ObjectList<Pod>.self, from: Data(#"{"items":null}"#.utf8))
        #expect(empty.items.isEmpty)
    }

    @Test("endpoints decode their ready and not-ready addresses")
    func endpoints() throws {
        let json = """
            {"kind":"Endpoints","metadata":{"name":"redis-master"},"subsets":[{
              "addresses":[{"ip":"10.1.2.3","nodeName":"n1","targetRef":{"kind":"Pod","name":"redis-master-x"}}],
              "notReadyAddresses":[{"ip":"10.1.2.4"}],
              "ports":[{"port":6379,"protocol":"TCP"}]}]}
            """
        let endpoints = try JSONDecoder().decode(Endpoints.self, from: Data(json.utf8))
        let subset = try #require(endpoints.subsets?.first)
        #expect(subset.addresses?.first?.targetRef?.name == "redis-master-x")
        #expect(subset.notReadyAddresses?.map(\.ip) == ["10.1.2.4"])
        #expect(subset.ports?.first?.port == 6379)
    }

    @Test("a service's status is accepted and ignored")
    func serviceStatus() throws {
        let json = #"{"spec":{"ports":[{"port":80}]},"status":{"loadBalancer":{"ingress":[{"ip":"1.2.3.4"}]}}}"#
        let service = try JSONDecoder().decode(Service.self, from: Data(json.utf8))
        #expect(service.status == ServiceStatus())
    }
}
