import Foundation
import KubeAPI
import Testing

@Suite("Validating pods")
struct ValidationTests {
    /// One case: a change to the valid base pod and the errors it must cause.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let fields: [String]
        let mutate: @Sendable (inout Pod) -> Void
        var testDescription: String { name }

        init(_ name: String, _ fields: [String], mutate: @escaping @Sendable (inout Pod) -> Void) {
            self.name = name
            self.fields = fields
            self.mutate = mutate
        }
    }

    static let cases: [Case] = [
        Case("an unparsable memory limit", ["spec.containers[0].resources.limits.memory"]) {
            $0.spec.containers[0].resources?.limits?["memory"] = Quantity("12Qi")
        },
        Case("a negative cpu limit", ["spec.containers[0].resources.limits.cpu"]) {
            $0.spec.containers[0].resources?.limits?["cpu"] = Quantity("-1")
        },
        Case("a request above its limit", ["spec.containers[0].resources.requests.cpu"]) {
            $0.spec.containers[0].resources?.requests?["cpu"] = Quantity("600m")
        },
        Case("no containers", ["spec.containers"]) { $0.spec.containers = [] },
        Case("two containers with one name", ["spec.containers[1].name"]) {
            $0.spec.containers.append(Container(name: "master", image: "redis"))
        },
        Case("a container name that is not a DNS label", ["spec.containers[0].name"]) {
            $0.spec.containers[0].name = "Master_1"
        },
        Case("an empty image", ["spec.containers[0].image"]) { $0.spec.containers[0].image = "" },
        Case("port 0", ["spec.containers[0].ports[0].containerPort"]) {
            $0.spec.containers[0].ports?[0].containerPort = 0
        },
        Case("port 65536", ["spec.containers[0].ports[0].containerPort"]) {
            $0.spec.containers[0].ports?[0].containerPort = 65536
        },
        Case("two ports with one name", ["spec.containers[0].ports[1].name"]) {
            $0.spec.containers[0].ports?.append(ContainerPort(name: "redis", containerPort: 6380))
        },
        Case("a port name longer than 15 characters", ["spec.containers[0].ports[0].name"]) {
            $0.spec.containers[0].ports?[0].name = "a-very-long-port-name"
        },
        Case("an unknown restart policy", ["spec.restartPolicy"]) { $0.spec.restartPolicy = "Sometimes" },
        Case("a probe port name no container port declares", ["spec.containers[0].livenessProbe.httpGet.port"]) {
            $0.spec.containers[0].livenessProbe = Probe(httpGet: HTTPGetAction(port: "http")).withDefaults()
        },
        Case("a probe on a named port the container declares", []) {
            $0.spec.containers[0].readinessProbe = Probe(tcpSocket: TCPSocketAction(port: "redis")).withDefaults()
        },
        Case("a probe header value with a CR LF in it", ["spec.containers[0].livenessProbe.httpGet.httpHeaders[1].value"]) {
            $0.spec.containers[0].livenessProbe = Probe(
                httpGet: HTTPGetAction(port: 80, httpHeaders: [HTTPHeader(name: "X-A", value: "1"), HTTPHeader(name: "X-B", value: "1\r\nX-Forged: 2")])
            ).withDefaults()
        },
        Case("a probe header name with a LF in it", ["spec.containers[0].readinessProbe.httpGet.httpHeaders[0].name"]) {
            $0.spec.containers[0].readinessProbe = Probe(httpGet: HTTPGetAction(port: 80, httpHeaders: [HTTPHeader(name: "X-A\n", value: "1")])).withDefaults()
        },
        Case("an exec probe with an empty command", ["spec.containers[0].livenessProbe.exec.command"]) {
            $0.spec.containers[0].livenessProbe = Probe(exec: ExecAction(command: [])).withDefaults()
        },
        Case("a probe with no handler", ["spec.containers[0].startupProbe"]) {
            $0.spec.containers[0].startupProbe = Probe().withDefaults()
        },
        Case("a probe with two handlers", ["spec.containers[0].livenessProbe"]) {
            $0.spec.containers[0].livenessProbe = Probe(
                exec: ExecAction(command: ["true"]), tcpSocket: TCPSocketAction(port: 6379)
            ).withDefaults()
        },
        Case(
            "a probe with a negative delay and a zero period",
            [
                "spec.containers[0].livenessProbe.initialDelaySeconds",
                "spec.containers[0].livenessProbe.periodSeconds",
            ]
        ) {
            $0.spec.containers[0].livenessProbe = Probe(
                tcpSocket: TCPSocketAction(port: 6379), initialDelaySeconds: -1, periodSeconds: 0)
        },
        Case("a numeric probe port out of range", ["spec.containers[0].livenessProbe.tcpSocket.port"]) {
            $0.spec.containers[0].livenessProbe = Probe(tcpSocket: TCPSocketAction(port: 70000)).withDefaults()
        },
        Case("a postStart hook with an empty exec command", ["spec.containers[0].lifecycle.postStart.exec.command"]) {
            $0.spec.containers[0].lifecycle = Lifecycle(postStart: LifecycleHandler(exec: ExecAction()))
        },
        Case("a preStop hook with no handler", ["spec.containers[0].lifecycle.preStop"]) {
            $0.spec.containers[0].lifecycle = Lifecycle(preStop: LifecycleHandler())
        },
        Case("two volumes with one name", ["spec.volumes[1].name"]) {
            $0.spec.volumes = [
                Volume(name: "data", emptyDir: EmptyDirVolumeSource()),
                Volume(name: "data", hostPath: HostPathVolumeSource(path: "/tmp")),
            ]
        },
        Case("a volume with no supported source", ["spec.volumes[0]"]) { $0.spec.volumes = [Volume(name: "config")] },
        Case("a volume with two sources", ["spec.volumes[0].hostPath"]) {
            $0.spec.volumes = [
                Volume(name: "data", emptyDir: EmptyDirVolumeSource(), hostPath: HostPathVolumeSource(path: "/tmp"))
            ]
        },
        Case("a mount of a volume the pod lacks", ["spec.containers[0].volumeMounts[0].name"]) {
            $0.spec.containers[0].volumeMounts = [VolumeMount(name: "data", mountPath: "/data")]
        },
        Case("a relative mount path", ["spec.containers[0].volumeMounts[0].mountPath"]) {
            $0.spec.volumes = [Volume(name: "data", emptyDir: EmptyDirVolumeSource())]
            $0.spec.containers[0].volumeMounts = [VolumeMount(name: "data", mountPath: "data")]
        },
        Case("an empty environment variable name", ["spec.containers[0].env[0].name"]) {
            $0.spec.containers[0].env = [EnvVar(name: "", value: "x")]
        },
        Case("a missing pod name", ["metadata.name"]) { $0.metadata.name = nil },
    ]

    @Test("each invalid change is reported at its field", arguments: cases)
    func reportsField(testCase: Case) {
        var pod = Fixtures.basePod
        testCase.mutate(&pod)
        #expect(pod.validationErrors().map(\.field) == testCase.fields)
    }

    @Test("the base pod is valid")
    func basePodIsValid() throws {
        #expect(Fixtures.basePod.validationErrors() == [])
        #expect(try Fixtures.basePod.validated() == Fixtures.basePod)
    }

    @Test("a bad memory limit reads like the API server's message, naming the pod")
    func messageNamesPodFieldAndValue() throws {
        var pod = Fixtures.basePod
        pod.spec.containers[0].resources?.limits?["memory"] = Quantity("12Qi")
        let errors = pod.validationErrors()
        let error = try #require(errors.first)
        #expect(error.value == "12Qi")
        #expect(error.description.hasPrefix(#"spec.containers[0].resources.limits.memory: Invalid value: "12Qi": "#))
        #expect(error.description.contains("unknown suffix"))
        #expect(
            describe(errors, pod: pod).hasPrefix(
                "pod default/redis-master-x: spec.containers[0].resources.limits.memory"))
        let thrown = try #require(throws: PodValidationError.self) { try pod.validated() }
        #expect(thrown.description == describe(errors, pod: pod))
    }

    @Test("a negative limit is rejected even though it parses")
    func negativeLimitMessage() throws {
        var pod = Fixtures.basePod
        pod.spec.containers[0].resources?.limits?["memory"] = Quantity("-1")
        pod.spec.containers[0].resources?.requests?["memory"] = Quantity("-1")
        let error = try #require(pod.validationErrors().first)
        #expect(
            error.description
                == #"spec.containers[0].resources.limits.memory: Invalid value: "-1": must be greater than or equal to 0"#)
    }

    @Test("a duplicate container name reads as a duplicate value")
    func duplicateMessage() throws {
        var pod = Fixtures.basePod
        pod.spec.containers.append(Container(name: "master", image: "redis"))
        let error = try #require(pod.validationErrors().first)
        #expect(error.description == #"spec.containers[1].name: Duplicate value: "master""#)
    }

    @Test("probes and hooks are forbidden on init containers")
    func initContainerProbes() {
        var pod = Fixtures.basePod
        pod.spec.initContainers = [
            Container(name: "init", image: "busybox", livenessProbe: Probe(exec: ExecAction(command: ["true"])))
        ]
        #expect(pod.validationErrors().map(\.field) == ["spec.initContainers[0].livenessProbe"])
    }
}

@Suite("Typed policies")
struct TypedPolicyTests {
    @Test("a pod list with an unknown restartPolicy decodes, and validation refuses that pod by field")
    func unknownPolicyDecodes() throws {
        let json = #"{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[{"metadata":{"name":"a","namespace":"default","uid":"u"},"spec":{"restartPolicy":"Sometimes","containers":[{"name":"c","image":"busybox","imagePullPolicy":"Rarely"}]}}]}"#
        let list = try JSONDecoder().decode(ObjectList<Pod>.self, from: Data(json.utf8))
        let pod = try #require(list.items.first)
        #expect(pod.spec.restartPolicy?.rawValue == "Sometimes")
        #expect(pod.spec.containers[0].imagePullPolicy?.rawValue == "Rarely")
        let error = try #require(throws: PodValidationError.self) { try pod.validated() }
        #expect("\(error)".contains("spec.restartPolicy"))
        #expect("\(error)".contains("spec.containers[0].imagePullPolicy"))
    }
}
