import NodeStreaming
import Testing

@Suite("Parsing exec, attach and port-forward requests")
struct StreamRequestPlanTests {
    @Test("an exec names namespace, pod, container, the command in order and the streams")
    func execParsed() throws {
        let plan = try StreamRequestPlan.parse(
            path: "/exec/default/web/nginx",
            query: ["command": ["sh", "-c", "echo hi"], "stdin": ["1"], "stdout": ["1"], "tty": ["true"]])
        #expect(
            plan == .exec(
                PodContainerName(namespace: "default", pod: "web", uid: nil, container: "nginx"), command: ["sh", "-c", "echo hi"],
                streams: StreamFlags(stdin: true, stdout: true, stderr: false, tty: true)))
    }

    @Test("a pod UID between pod and container is kept")
    func uidParsed() throws {
        let plan = try StreamRequestPlan.parse(path: "/attach/ns/p/1234/c", query: ["stdout": ["1"], "stderr": ["1"]])
        #expect(
            plan == .attach(
                PodContainerName(namespace: "ns", pod: "p", uid: "1234", container: "c"),
                streams: StreamFlags(stdin: false, stdout: true, stderr: true, tty: false)))
    }

    @Test("a terminal drops stderr, as kubelet does")
    func ttyDropsStderr() throws {
        let plan = try StreamRequestPlan.parse(
            path: "/exec/ns/p/c", query: ["command": ["ls"], "stdout": ["1"], "stderr": ["1"], "tty": ["1"]])
        guard case let .exec(_, _, streams) = plan else {
            Issue.record("not an exec")
            return
        }
        #expect(streams.stderr == false)
        #expect(streams.stdout)
    }

    @Test(
        "bad requests are refused with kubelet's status and a message naming the field",
        arguments: [
            ("/exec/ns/p/c", ["command": ["ls"]], 400, "at least 1 of stdin, stdout, stderr"),
            ("/exec/ns/p/c", ["stdout": ["1"]], 400, "\"command\""),
            ("/exec/ns/p", ["stdout": ["1"]], 404, "/exec/ns/p"),
            ("/portForward/ns/p", ["port": ["80,http"]], 400, "invalid port \"http\""),
            ("/portForward/ns/p", ["port": ["0"]], 400, "invalid port \"0\""),
            ("/portForward/ns/p", ["port": ["70000"]], 400, "invalid port \"70000\""),
        ] as [(String, [String: [String]], Int, String)])
    func refusals(path: String, query: [String: [String]], status: Int, message: String) {
        do {
            _ = try StreamRequestPlan.parse(path: path, query: query)
            Issue.record("accepted \(path)")
        } catch {
            #expect(error.status == status)
            #expect(error.description.contains(message))
        }
    }

    @Test("ports come repeated or as comma lists, in order")
    func portsParsed() throws {
        let plan = try StreamRequestPlan.parse(path: "/portForward/ns/p/uid", query: ["port": ["80,443", "8080"]])
        #expect(plan == .portForward(namespace: "ns", pod: "p", uid: "uid", ports: [80, 443, 8080]))
    }
}

@Suite("Negotiating the channel protocol")
struct StreamProtocolNegotiationTests {
    @Test("the client's first supported protocol wins, in the client's order")
    func clientOrder() throws {
        let chosen = try StreamProtocolVersion.negotiate(
            offered: ["bogus, v4.base64.channel.k8s.io", "v5.channel.k8s.io"],
            supported: StreamProtocolVersion.webSocketRemoteCommand, fallback: .channel)
        #expect(chosen == .v4Base64Channel)
    }

    @Test("a WebSocket client that offers nothing gets channel.k8s.io")
    func fallback() throws {
        let chosen = try StreamProtocolVersion.negotiate(
            offered: [], supported: StreamProtocolVersion.webSocketRemoteCommand, fallback: .channel)
        #expect(chosen == .channel)
    }

    @Test("SPDY exec accepts v4 down to channel.k8s.io and refuses port-forward's protocol")
    func spdyVersions() throws {
        for name in ["v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"] {
            let chosen = try StreamProtocolVersion.negotiate(
                offered: [name], supported: StreamProtocolVersion.spdyRemoteCommand, fallback: nil)
            #expect(chosen.rawValue == name)
        }
        #expect(throws: StreamRequestError.self) {
            try StreamProtocolVersion.negotiate(
                offered: ["portforward.k8s.io"], supported: StreamProtocolVersion.spdyRemoteCommand, fallback: nil)
        }
    }

    @Test("port-forward over WebSocket speaks only the v4 protocols")
    func portForwardWebSocket() {
        #expect(throws: StreamRequestError.self) {
            try StreamProtocolVersion.negotiate(
                offered: ["v5.channel.k8s.io"], supported: StreamProtocolVersion.webSocketPortForward, fallback: .v4Channel)
        }
    }
}

@Suite("The status on the error channel")
struct RemoteCommandStatusTests {
    @Test("success, exit code and internal error read as kubelet writes them")
    func v4JSON() {
        #expect(RemoteCommandOutcome.success.statusJSON == #"{"metadata":{},"status":"Success"}"#)
        #expect(
            RemoteCommandOutcome.exitCode(3).statusJSON
                == #"{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: Error executing in Docker Container: 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}"#
        )
        #expect(
            RemoteCommandOutcome.failure("boom \"x\"").statusJSON
                == #"{"metadata":{},"status":"Failure","message":"Internal error occurred: boom \"x\"","reason":"InternalError","details":{"causes":[{"message":"boom \"x\""}]},"code":500}"#
        )
    }

    @Test("protocols before v4 get the error text only, and nothing on success")
    func legacy() {
        #expect(RemoteCommandOutcome.success.errorChannelBytes(.channel) == nil)
        let text = RemoteCommandOutcome.exitCode(2).errorChannelBytes(.v3Channel).map { String(decoding: $0, as: UTF8.self) }
        #expect(text?.hasSuffix(": 2") == true)
        #expect(RemoteCommandOutcome.success.errorChannelBytes(.v4Channel) != nil)
    }
}
