import KubeAPI
import Testing

@Suite("Validating pods")
struct ValidationTests {
    /// One case: a change to the valid base pod and the errors it must cause.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let mutate: @Sendable (inout Pod) -> Void
        let fields: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "an unparsable memory limit", mutate: { $0.spec.containers[0].resources?.limits?["memory"] = Quantity("12Qi") },
             fields: ["spec.containers[0].resources.limits.memory"]),
        Case(name: "a negative cpu limit", mutate: { $0.spec.containers[0].resources?.limits?["cpu"] = Quantity("-1") },
             fields: ["spec.containers[0].resources.limits.cpu"]),
        Case(name: "a request above its limit", mutate: { $0.spec.containers[0].resources?.requests?["cpu"] = Quantity("600m") },
             fields: ["spec.containers[0].resources.requests.cpu"]),
        Case(name: "no containers", mutate: { $0.spec.containers = [] }, fields: ["spec.containers"]),
        Case(name: "two containers with one name", mutate: { $0.spec.containers.append(Container(name: "master", image: "redis")) },
             fields: ["spec.containers[1].name"]),
        Case(name: "a container name that is not a DNS label", mutate: { $0.spec.containers[0].name = "Master_1" },
             fields: ["spec.containers[0].name"]),
        Case(name: "an empty image", mutate: { $0.spec.containers[0].image = "" }, fields: ["spec.containers[0].image"]),
        Case(name: "port 0", mutate: { $0.spec.containers[0].ports?[0].containerPort = 0 },
             fields: ["spec.containers[0].ports[0].containerPort"]),
        Case(name: "port 65536", mutate: { $0.spec.containers[0].ports?[0].containerPort = 65536 },
             fields: ["spec.containers[0].ports[0].containerPort"]),
        Case(name: "two ports with one name",
             mutate: { $0.spec.containers[0].ports?.append(ContainerPort(name: "redis", containerPort: 6380)) },
             fields: ["spec.containers[0].ports[1].name"]),
        Case(name: "a port name longer than 15 characters",
             mutate: { $0.spec.containers[0].ports?[0].name = "a-very-long-port-name" },
             fields: ["spec.containers[0].ports[0].name"]),
        Case(name: "an unknown restart policy", mutate: { $0.spec.restartPolicy = "Sometimes" }, fields: ["spec.restartPolicy"]),
        Case(name: "a probe port name no container port declares",
             mutate: { $0.spec.containers[0].livenessProbe = Probe(httpGet: HTTPGetAction(port: "http")).withDefaults() },
             fields: ["spec.containers[0].livenessProbe.httpGet.port"]),
        Case(name: "a probe on a named port the container declares",
             mutate: { $0.spec.containers[0].readinessProbe = Probe(tcpSocket: TCPSocketAction(port: "redis")).withDefaults() },
             fields: []),
        Case(name: "an exec probe with an empty command",
             mutate: { $0.spec.containers[0].livenessProbe = Probe(exec: ExecAction(command: [])).withDefaults() },
             fields: ["spec.containers[0].livenessProbe.exec.command"]),
        Case(name: "a probe with no handler", mutate: { $0.spec.containers[0].startupProbe = Probe().withDefaults() },
             fields: ["spec.containers[0].startupProbe"]),
        Case(name: "a probe with two handlers",
             mutate: {
                 $0.spec.containers[0].livenessProbe = Probe(
                     exec: ExecAction(command: ["true"]), tcpSocket: TCPSocketAction(port: 6379)).withDefaults()
             },
             fields: ["spec.containers[0].livenessProbe"]),
        Case(name: "a probe with a negative delay and a zero period",
             mutate: {
                 $0.spec.containers[0].livenessProbe = Probe(
                     tcpSocket: TCPSocketAction(port: 6379), initialDelaySeconds: -1, periodSeconds: 0)
             },
             fields: ["spec.containers[0].livenessProbe.initialDelaySeconds", "spec.containers[0].livenessProbe.periodSeconds"]),
        Case(name: "a numeric probe port out of range",
             mutate: { $0.spec.containers[0].livenessProbe = Probe(tcpSocket: TCPSocketAction(port: 70000)).withDefaults() },
             fields: ["spec.containers[0].livenessProbe.tcpSocket.port"]),
        Case(name: "a postStart hook with an empty exec command",
             mutate: { $0.spec.containers[0].lifecycle = Lifecycle(postStart: LifecycleHandler(exec: ExecAction())) },
             fields: ["spec.containers[0].lifecycle.postStart.exec.command"]),
        Case(name: "a preStop hook with no handler",
             mutate: { $0.spec.containers[0].lifecycle = Lifecycle(preStop: LifecycleHandler()) },
             fields: ["spec.containers[0].lifecycle.preStop"]),
        Case(name: "two volumes with one name",
             mutate: { $0.spec.volumes = [Volume(name: "data", emptyDir: EmptyDirVolumeSource()), Volume(name: "data", hostPath: HostPathVolumeSource(path: "/tmp"))] },
             fields: ["spec.volumes[1].name"]),
        Case(name: "a volume with no supported source", mutate: { $0.spec.volumes = [Volume(name: "config")] },
             fields: ["spec.volumes[0]"]),
        Case(name: "a volume with two sources",
             mutate: { $0.spec.volumes = [Volume(name: "data", emptyDir: EmptyDirVolumeSource(), hostPath: HostPathVolumeSource(path: "/tmp"))] },
             fields: ["spec.volumes[0].hostPath"]),
        Case(name: "a mount of a volume the pod lacks",
             mutate: { $0.spec.containers[0].volumeMounts = [VolumeMount(name: "data", mountPath: "/data")] },
             fields: ["spec.containers[0].volumeMounts[0].name"]),
        Case(name: "a relative mount path",
             mutate: {
                 $0.spec.volumes = [Volume(name: "data", emptyDir: EmptyDirVolumeSource())]
                 $0.spec.containers[0].volumeMounts = [VolumeMount(name: "data", mountPath: "data")]
             },
             fields: ["spec.containers[0].volumeMounts[0].mountPath"]),
        Case(name: "an empty environment variable name",
             mutate: { $0.spec.containers[0].env = [EnvVar(name: "", value: "x")] },
             fields: ["spec.containers[0].env[0].name"]),
        Case(name: "a missing pod name", mutate: { $0.metadata.name = nil }, fields: ["metadata.name"]),
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
        #expect(describe(errors, pod: pod).hasPrefix("pod default/redis-master-x: spec.containers[0].resources.limits.memory"))
        let thrown = try #require(throws: PodValidationError.self) { try pod.validated() }
        #expect(thrown.description == describe(errors, pod: pod))
    }

    @Test("a negative limit is rejected even though it parses")
    func negativeLimitMessage() throws {
        var pod = Fixtures.basePod
        pod.spec.containers[0].resources?.limits?["memory"] = Quantity("-1")
        pod.spec.containers[0].resources?.requests?["memory"] = Quantity("-1")
        let error = try #require(pod.validationErrors().first)
        #expect(error.description == #"spec.containers[0].resources.limits.memory: Invalid value: "-1": must be greater than or equal to 0"#)
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
        pod.spec.initContainers = [Container(name: "init", image: "busybox", livenessProbe: Probe(exec: ExecAction(command: ["true"])))]
        #expect(pod.validationErrors().map(\.field) == ["spec.initContainers[0].livenessProbe"])
    }
}
