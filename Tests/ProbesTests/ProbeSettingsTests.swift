import KubeAPI
import Testing

@testable import Probes

/// One probe of container `web` (which declares port `http` = 8080), resolved at index 0.
struct ResolutionCase: Sendable, CustomTestStringConvertible {
    var name: String
    var kind: ProbeKind = .liveness
    var probe: Probe
    var expected: Result<ProbeSettings, ProbeConfigError>

    var testDescription: String { name }

    var container: Container {
        var container = Container(name: "web", image: "nginx", ports: [ContainerPort(name: "http", containerPort: 8080)])
        switch kind {
        case .liveness: container.livenessProbe = probe
        case .readiness: container.readinessProbe = probe
        case .startup: container.startupProbe = probe
        }
        return container
    }
}

private let defaultHTTP = Handler.httpGet(scheme: "http", host: nil, port: 80, path: "/", headers: [:])

private func settings(
    _ kind: ProbeKind = .liveness, handler: Handler = defaultHTTP, delay: Int = 0, period: Int = 10, timeout: Int = 1,
    success: Int = 1, failure: Int = 3
) -> Result<ProbeSettings, ProbeConfigError> {
    .success(
        ProbeSettings(
            kind: kind, handler: handler, initialDelay: .seconds(delay), period: .seconds(period), timeout: .seconds(timeout),
            successThreshold: success, failureThreshold: failure))
}

private func invalid(_ field: String, _ detail: String) -> Result<ProbeSettings, ProbeConfigError> {
    .failure(ProbeConfigError(container: "web", field: field, detail: detail))
}

private let resolutionCases: [ResolutionCase] = [
    ResolutionCase(
        name: "unset numbers take Kubernetes' defaults: no delay, period 10 s, timeout 1 s, thresholds 1 and 3",
        probe: Probe(httpGet: HTTPGetAction(port: 80)), expected: settings()),
    ResolutionCase(
        name: "zeros count as unset, as the API server defaults them", kind: .readiness,
        probe: Probe(
            httpGet: HTTPGetAction(port: 80), initialDelaySeconds: 0, timeoutSeconds: 0, periodSeconds: 0,
            successThreshold: 0, failureThreshold: 0),
        expected: settings(.readiness)),
    ResolutionCase(
        name: "numbers given are kept", kind: .readiness,
        probe: Probe(
            httpGet: HTTPGetAction(port: 80), initialDelaySeconds: 5, timeoutSeconds: 2, periodSeconds: 3,
            successThreshold: 2, failureThreshold: 4),
        expected: settings(.readiness, delay: 5, period: 3, timeout: 2, success: 2, failure: 4)),
    ResolutionCase(
        name: "successThreshold is forced to 1 for liveness",
        probe: Probe(httpGet: HTTPGetAction(port: 80), successThreshold: 3), expected: settings(.liveness)),
    ResolutionCase(
        name: "successThreshold is forced to 1 for startup", kind: .startup,
        probe: Probe(httpGet: HTTPGetAction(port: 80), successThreshold: 3), expected: settings(.startup)),
    ResolutionCase(
        name: "a named port resolves through the container's ports",
        probe: Probe(httpGet: HTTPGetAction(port: "http")),
        expected: settings(handler: .httpGet(scheme: "http", host: nil, port: 8080, path: "/", headers: [:]))),
    ResolutionCase(
        name: "a port written as a numeric string is that number",
        probe: Probe(httpGet: HTTPGetAction(port: "9090")),
        expected: settings(handler: .httpGet(scheme: "http", host: nil, port: 9090, path: "/", headers: [:]))),
    ResolutionCase(
        name: "an httpGet path without a leading slash gets one",
        probe: Probe(httpGet: HTTPGetAction(path: "healthz", port: 80)),
        expected: settings(handler: .httpGet(scheme: "http", host: nil, port: 80, path: "/healthz", headers: [:]))),
    ResolutionCase(
        name: "scheme HTTPS is accepted in any case and kept as https",
        probe: Probe(httpGet: HTTPGetAction(path: "/ready", port: 443, scheme: "https")),
        expected: settings(handler: .httpGet(scheme: "https", host: nil, port: 443, path: "/ready", headers: [:]))),
    ResolutionCase(
        name: "headers are passed on and nameless ones dropped",
        probe: Probe(
            httpGet: HTTPGetAction(
                port: 80, httpHeaders: [HTTPHeader(name: "X-Probe", value: "yes"), HTTPHeader(name: "", value: "lost")])),
        expected: settings(handler: .httpGet(scheme: "http", host: nil, port: 80, path: "/", headers: ["X-Probe": "yes"]))),
    ResolutionCase(
        name: "an explicit host is kept",
        probe: Probe(httpGet: HTTPGetAction(port: 80, host: "10.0.0.9")),
        expected: settings(handler: .httpGet(scheme: "http", host: "10.0.0.9", port: 80, path: "/", headers: [:]))),
    ResolutionCase(
        name: "an empty host means the pod IP",
        probe: Probe(tcpSocket: TCPSocketAction(port: 80, host: "")), expected: settings(handler: .tcpSocket(host: nil, port: 80))),
    ResolutionCase(
        name: "a tcpSocket port name resolves through the container's ports",
        probe: Probe(tcpSocket: TCPSocketAction(port: "http")), expected: settings(handler: .tcpSocket(host: nil, port: 8080))),
    ResolutionCase(
        name: "an exec probe keeps its command",
        probe: Probe(exec: ExecAction(command: ["cat", "/tmp/healthy"])),
        expected: settings(handler: .exec(command: ["cat", "/tmp/healthy"]))),

    ResolutionCase(
        name: "an httpGet port name that no container port declares is an error naming the field",
        probe: Probe(httpGet: HTTPGetAction(port: "metrics")),
        expected: invalid(
            "spec.containers[0].livenessProbe.httpGet.port",
            "Invalid value: \"metrics\": no port named \"metrics\" in container web")),
    ResolutionCase(
        name: "a tcpSocket port name that no container port declares is an error naming the field", kind: .readiness,
        probe: Probe(tcpSocket: TCPSocketAction(port: "redis")),
        expected: invalid(
            "spec.containers[0].readinessProbe.tcpSocket.port",
            "Invalid value: \"redis\": no port named \"redis\" in container web")),
    ResolutionCase(
        name: "port 0 is out of range",
        probe: Probe(httpGet: HTTPGetAction(port: 0)),
        expected: invalid(
            "spec.containers[0].livenessProbe.httpGet.port", "Invalid value: \"0\": must be between 1 and 65535")),
    ResolutionCase(
        name: "port 65536 is out of range",
        probe: Probe(tcpSocket: TCPSocketAction(port: 65536)),
        expected: invalid(
            "spec.containers[0].livenessProbe.tcpSocket.port", "Invalid value: \"65536\": must be between 1 and 65535")),
    ResolutionCase(
        name: "a negative periodSeconds is an error naming the field", kind: .readiness,
        probe: Probe(httpGet: HTTPGetAction(port: 80), periodSeconds: -1),
        expected: invalid(
            "spec.containers[0].readinessProbe.periodSeconds", "Invalid value: -1: must be greater than or equal to 1")),
    ResolutionCase(
        name: "a negative initialDelaySeconds is an error naming the field",
        probe: Probe(httpGet: HTTPGetAction(port: 80), initialDelaySeconds: -5),
        expected: invalid(
            "spec.containers[0].livenessProbe.initialDelaySeconds",
            "Invalid value: -5: must be greater than or equal to 0")),
    ResolutionCase(
        name: "a negative failureThreshold is an error naming the field", kind: .startup,
        probe: Probe(httpGet: HTTPGetAction(port: 80), failureThreshold: -2),
        expected: invalid(
            "spec.containers[0].startupProbe.failureThreshold", "Invalid value: -2: must be greater than or equal to 1")),
    ResolutionCase(
        name: "an empty exec command is an error naming the field",
        probe: Probe(exec: ExecAction(command: [])),
        expected: invalid("spec.containers[0].livenessProbe.exec.command", "Required value")),
    ResolutionCase(
        name: "an exec without a command is an error naming the field",
        probe: Probe(exec: ExecAction()),
        expected: invalid("spec.containers[0].livenessProbe.exec.command", "Required value")),
    ResolutionCase(
        name: "two handlers are an error",
        probe: Probe(exec: ExecAction(command: ["true"]), httpGet: HTTPGetAction(port: 80)),
        expected: invalid("spec.containers[0].livenessProbe", "may not specify more than 1 handler type")),
    ResolutionCase(
        name: "no handler is an error", kind: .readiness,
        probe: Probe(periodSeconds: 5),
        expected: invalid("spec.containers[0].readinessProbe", "must specify a handler type")),
    ResolutionCase(
        name: "a scheme other than HTTP or HTTPS is an error",
        probe: Probe(httpGet: HTTPGetAction(port: 80, scheme: "ftp")),
        expected: invalid("spec.containers[0].livenessProbe.httpGet.scheme", "Unsupported value: \"FTP\"")),
]

@Suite("Resolving probes and handlers against their container")
struct ProbeSettingsTests {
    @Test("a probe resolves to settings with defaults, or to an error naming the container and field", arguments: resolutionCases)
    func resolution(_ testCase: ResolutionCase) {
        let result = Result { () throws(ProbeConfigError) in try ProbeSettings.all(for: testCase.container, index: 0) }
        switch (result, testCase.expected) {
        case let (.success(all), .success(expected)):
            #expect(all == [expected])
        case let (.failure(error), .failure(expected)):
            #expect(error == expected)
        default:
            Issue.record("resolved to \(result), expected \(testCase.expected)")
        }
    }

    @Test("the error for an undeclared port name reads with the container and the field path")
    func undeclaredPortMessage() {
        let container = Container(
            name: "frontend", ports: [ContainerPort(name: "http", containerPort: 80)],
            livenessProbe: Probe(httpGet: HTTPGetAction(path: "/healthz", port: "metrics")))
        let error = #expect(throws: ProbeConfigError.self) { try ProbeSettings.all(for: container, index: 0) }
        #expect(error?.container == "frontend")
        #expect(error?.field == "spec.containers[0].livenessProbe.httpGet.port")
        #expect(
            error?.description
                == "container frontend: spec.containers[0].livenessProbe.httpGet.port: Invalid value: \"metrics\": no port named \"metrics\" in container frontend"
        )
    }

    @Test("field paths carry the container's index")
    func fieldPathIndex() {
        let container = Container(name: "sidecar", readinessProbe: Probe(exec: ExecAction(command: [])))
        #expect(throws: ProbeConfigError(container: "sidecar", field: "spec.containers[2].readinessProbe.exec.command", detail: "Required value")) {
            try ProbeSettings.all(for: container, index: 2)
        }
    }

    @Test("a container's probes come out startup, liveness, readiness; a container without probes has none")
    func order() throws {
        let all = try ProbeSettings.all(
            for: Container(
                name: "web", livenessProbe: Probe(exec: ExecAction(command: ["live"])),
                readinessProbe: Probe(exec: ExecAction(command: ["ready"])),
                startupProbe: Probe(exec: ExecAction(command: ["start"]))),
            index: 0)
        #expect(all.map(\.kind) == [.startup, .liveness, .readiness])
        #expect(all.map(\.handler) == [.exec(command: ["start"]), .exec(command: ["live"]), .exec(command: ["ready"])])
        #expect(try ProbeSettings.all(for: Container(name: "plain"), index: 0).isEmpty)
    }

    @Test("a lifecycle hook resolves with the field it was given")
    func hookField() throws {
        let container = Container(name: "redis", ports: [ContainerPort(name: "admin", containerPort: 9121)])
        #expect(
            try Handler.resolve(
                exec: nil, httpGet: HTTPGetAction(path: "started", port: "admin"), tcpSocket: nil, container: container,
                field: "spec.containers[1].lifecycle.postStart")
                == .httpGet(scheme: "http", host: nil, port: 9121, path: "/started", headers: [:]))
        #expect(
            throws: ProbeConfigError(
                container: "redis", field: "spec.containers[1].lifecycle.preStop.exec.command", detail: "Required value")
        ) {
            try Handler.resolve(
                exec: ExecAction(command: []), httpGet: nil, tcpSocket: nil, container: container,
                field: "spec.containers[1].lifecycle.preStop")
        }
    }

    @Test(
        "a handler's summary names its action and target",
        arguments: [
            (Handler.httpGet(scheme: "https", host: nil, port: 8443, path: "/healthz", headers: [:]), "http-get https://:8443/healthz"),
            (Handler.httpGet(scheme: "http", host: "10.0.0.9", port: 80, path: "/", headers: ["A": "b"]), "http-get http://10.0.0.9:80/"),
            (Handler.tcpSocket(host: nil, port: 6379), "tcp-socket :6379"),
        ])
    func summary(_ handler: Handler, _ expected: String) {
        #expect(handler.summary == expected)
    }

    @Test(
        "each probe kind has its field name and its result before any run",
        arguments: [
            (ProbeKind.liveness, "livenessProbe", true as Bool?),
            (.readiness, "readinessProbe", false),
            (.startup, "startupProbe", nil),
        ])
    func kinds(_ kind: ProbeKind, _ fieldName: String, _ initial: Bool?) {
        #expect(kind.fieldName == fieldName)
        #expect(kind.initialResult == initial)
    }
}
