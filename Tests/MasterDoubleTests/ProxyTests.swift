import CurlHTTP
import Foundation
import Testing

@testable import MasterDouble

/// A master double relaying to a kubelet stub, with one node (`node-a`, its InternalIP
/// 127.0.0.1 and the stub's port as its kubelet port) and one pod on it.
struct ProxyFixture {
    let fixture: Fixture
    let certificates: TestCertificates
    let stub: KubeletStub
    var master: MasterDouble { fixture.master }
    var client: APIClient { fixture.client }

    init(containers: [String] = ["app"]) throws {
        certificates = try TestCertificates.shared.get()
        stub = try KubeletStub(certificates: certificates)
        fixture = try Fixture()
        fixture.master.kubeletClient = KubeletClientSettings(
            certificateFile: certificates.clientCert, keyFile: certificates.clientKey)
        try fixture.master.apply(object: [
            "apiVersion": "v1", "kind": "Node", "metadata": ["name": "node-a"],
            "status": [
                "addresses": [["type": "InternalIP", "address": "127.0.0.1"]],
                "daemonEndpoints": ["kubeletEndpoint": ["Port": .int(Int64(stub.port))]],
            ],
        ])
        try fixture.master.apply(object: [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "web", "namespace": "default"],
            "spec": ["nodeName": "node-a", "containers": .array(containers.map { ["name": .string($0), "image": "nginx"] })],
        ])
    }

    func stop() {
        fixture.master.stop()
        stub.stop()
    }

    /// A GET answered as text.
    func text(_ path: String, timeout: Duration = .seconds(10)) async throws -> HTTPResponse {
        try await client.transport.send(HTTPRequest(path: path, timeout: timeout))
    }
}

@Suite("Where the double sends proxied requests (kube-apiserver's pod strategy)")
struct NodeLocationTests {
    @Test("exec keeps every command in order, turns true flags into 1 and the container into a path segment")
    func execPath() throws {
        let query = RawQuery.parse("/x?command=sh&command=-c&command=echo+a%26b&stdin=true&stdout=1&stderr=false&tty=0&container=app")
        let path = try NodeLocation.podPath(.exec, namespace: "default", pod: "web", containers: ["app", "side"], query: query)
        #expect(path == "/exec/default/web/app?command=sh&command=-c&command=echo%20a%26b&stdin=1&stdout=1")
    }

    @Test("attach has no command; logs keep the PodLogOptions; port-forward turns ports into port")
    func otherPaths() throws {
        let attach = try NodeLocation.podPath(.attach, namespace: "ns", pod: "p", containers: ["c"], query: RawQuery.parse("/x?stdout=true&tty=true"))
        #expect(attach == "/attach/ns/p/c?stdout=1&tty=1")
        let log = try NodeLocation.podPath(
            .log, namespace: "ns", pod: "p", containers: ["c"], query: RawQuery.parse("/x?follow=true&tailLines=5&pretty=1&previous=true"))
        #expect(log == "/containerLogs/ns/p/c?follow=true&tailLines=5&previous=true")
        let forward = try NodeLocation.podPath(.portforward, namespace: "ns", pod: "p", containers: ["a", "b"], query: RawQuery.parse("/x?ports=80&ports=443"))
        #expect(forward == "/portForward/ns/p?port=80&port=443")
    }

    @Test("the container defaults to the only one; with several one must be named, and a wrong one is refused")
    func containerDefault() throws {
        #expect(try NodeLocation.containerName(nil, containers: ["only"], pod: "p") == "only")
        #expect(throws: ProxyProblem(code: 400, reason: "BadRequest", message: "a container name must be specified for pod p, choose one of: [a b]")) {
            try NodeLocation.containerName(nil, containers: ["a", "b"], pod: "p")
        }
        #expect(throws: ProxyProblem(code: 400, reason: "BadRequest", message: "container x is not valid for pod p")) {
            try NodeLocation.containerName("x", containers: ["a", "b"], pod: "p")
        }
        #expect(throws: ProxyProblem(code: 400, reason: "BadRequest", message: "you must specify at least 1 command")) {
            try NodeLocation.podPath(.exec, namespace: "n", pod: "p", containers: ["a"], query: [("stdout", "1")])
        }
    }

    @Test("the address is the first of the first preferred type the node lists; the port its kubelet's, else 10250")
    func address() throws {
        let addresses = [(type: "InternalIP", address: "10.0.0.2"), (type: "Hostname", address: "node-a"), (type: "InternalIP", address: "10.0.0.3")]
        let preferred = KubeletClientSettings.defaultAddressTypes
        #expect(try NodeLocation.nodeBaseURL(addresses: addresses, port: 10255, preferredTypes: preferred, node: "n") == "https://node-a:10255")
        #expect(try NodeLocation.nodeBaseURL(addresses: addresses, port: nil, preferredTypes: ["InternalIP"], node: "n") == "https://10.0.0.2:10250")
        #expect(throws: ProxyProblem.self) {
            try NodeLocation.nodeBaseURL(addresses: addresses, port: 1, preferredTypes: ["ExternalIP"], node: "n")
        }
    }

    @Test("proxied paths are told apart from API paths")
    func targets() {
        #expect(ProxyTarget.parse("/api/v1/namespaces/default/pods/web/log") == .pod(namespace: "default", name: "web", subresource: .log))
        #expect(ProxyTarget.parse("/api/v1/namespaces/default/pods/web/portforward") == .pod(namespace: "default", name: "web", subresource: .portforward))
        #expect(ProxyTarget.parse("/api/v1/nodes/node-a/proxy/stats/summary") == .node(name: "node-a", path: "/stats/summary"))
        #expect(ProxyTarget.parse("/api/v1/nodes/node-a/proxy") == .node(name: "node-a", path: "/"))
        #expect(ProxyTarget.parse("/api/v1/namespaces/default/pods/web/status") == nil)
        #expect(ProxyTarget.parse("/api/v1/namespaces/default/pods/web") == nil)
    }
}

@Suite("The double relays pods/log and nodes/proxy to an HTTPS kubelet with its client certificate", .serialized)
struct ProxyRelayTests {
    @Test("nodes/proxy reaches the node's path and query, presenting the double's client certificate")
    func nodeProxy() async throws {
        let proxy = try ProxyFixture()
        defer { proxy.stop() }
        let (status, body) = try await proxy.client.get("/api/v1/nodes/node-a/proxy/stats/summary?only_cpu_and_memory=true")
        #expect(status == 200)
        #expect(body["path"]?.stringValue == "/stats/summary?only_cpu_and_memory=true")
        #expect(body["client"]?.stringValue == "kube-apiserver-kubelet-client")
        let record = try #require(proxy.master.requests().last)
        #expect(record.resource == "nodes/proxy")
        #expect(record.status == 200)
    }

    @Test("the node's error status is passed on")
    func nodeError() async throws {
        let proxy = try ProxyFixture()
        defer { proxy.stop() }
        let response = try await proxy.text("/api/v1/nodes/node-a/proxy/missing")
        #expect(response.status == 404)
        #expect(response.text == "404 page not found\n")
    }

    @Test("pods/log goes to containerLogs of the only container with the log options")
    func logs() async throws {
        let proxy = try ProxyFixture()
        defer { proxy.stop() }
        let response = try await proxy.text("/api/v1/namespaces/default/pods/web/log?tailLines=3&timestamps=true")
        #expect(response.status == 200)
        #expect(response.text == "path /containerLogs/default/web/app?tailLines=3&timestamps=true\nclient kube-apiserver-kubelet-client\ndone\n")
    }

    @Test("pods/log of a pod with two containers needs a container")
    func logsNeedContainer() async throws {
        let proxy = try ProxyFixture(containers: ["a", "b"])
        defer { proxy.stop() }
        let (status, body) = try await proxy.client.get("/api/v1/namespaces/default/pods/web/log")
        #expect(status == 400)
        #expect(body["message"]?.stringValue == "a container name must be specified for pod web, choose one of: [a b]")
        let named = try await proxy.text("/api/v1/namespaces/default/pods/web/log?container=b")
        #expect(named.text.hasPrefix("path /containerLogs/default/web/b\n"))
    }

    @Test("a followed log streams as the node writes, and ends at the node when the client goes")
    func followStreams() async throws {
        let proxy = try ProxyFixture()
        defer { proxy.stop() }
        let transport = CurlTransport(endpoint: HTTPEndpoint(baseURL: proxy.master.url))
        var received = ""
        let start = ContinuousClock.now
        for try await chunk in transport.stream(HTTPRequest(path: "/api/v1/namespaces/default/pods/web/log?follow=true", timeout: nil)) {
            received += String(decoding: chunk, as: UTF8.self)
            if received.contains("tick 2\n") { break }
        }
        #expect(received.hasPrefix("path /containerLogs/default/web/app?follow=true\n"))
        // The stub writes for 60 s: lines that arrive well before that came as written.
        #expect(ContinuousClock.now - start < .seconds(30), "lines arrive as written, not at the end")
        let record = try #require(proxy.master.requests().last)
        #expect(record.resource == "pods/log")
    }

    @Test("an unknown pod is 404 and exec without an upgrade is 400, as kube-apiserver answers")
    func refusals() async throws {
        let proxy = try ProxyFixture()
        defer { proxy.stop() }
        let (missing, _) = try await proxy.client.get("/api/v1/namespaces/default/pods/nothing/log")
        #expect(missing == 404)
        let (plain, body) = try await proxy.client.get("/api/v1/namespaces/default/pods/web/exec?command=ls&stdout=true")
        #expect(plain == 400)
        #expect(body["message"]?.stringValue == "Upgrade request required")
    }

    @Test("a node whose certificate is not from the configured CA is refused")
    func checksNodeWithCA() async throws {
        let proxy = try ProxyFixture()
        defer { proxy.stop() }
        proxy.master.kubeletClient.caFile = proxy.certificates.otherCA
        let (status, body) = try await proxy.client.get("/api/v1/nodes/node-a/proxy/stats/summary")
        #expect(status == 500)
        #expect(body["message"]?.stringValue?.contains("error dialing backend") == true)
        proxy.master.kubeletClient.caFile = proxy.certificates.ca
        let (trusted, _) = try await proxy.client.get("/api/v1/nodes/node-a/proxy/stats/summary")
        #expect(trusted == 200)
    }

    @Test("without the double's client certificate the node refuses the connection")
    func needsClientCertificate() async throws {
        let proxy = try ProxyFixture()
        defer { proxy.stop() }
        proxy.master.kubeletClient = KubeletClientSettings()
        let (status, _) = try await proxy.client.get("/api/v1/nodes/node-a/proxy/stats/summary")
        #expect(status == 500)
    }
}
