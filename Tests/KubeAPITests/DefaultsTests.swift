import KubeAPI
import Testing

@Suite("Defaulting like the API server")
struct DefaultsTests {
    @Test(
        "the image pull policy follows the image tag",
        arguments: [
            ("redis", "Always"),
            ("redis:latest", "Always"),
            ("redis:7", "IfNotPresent"),
            ("localhost:5000/redis", "Always"),
            ("localhost:5000/redis:7", "IfNotPresent"),
            ("localhost:5000/redis:latest", "Always"),
            ("x@sha256:abc", "IfNotPresent"),
            ("x:latest@sha256:abc", "Always"),
            ("kubernetes/example-guestbook-php-redis", "Always"),
        ])
    func imagePullPolicy(image: String, policy: String) {
        #expect(Container(name: "c", image: image).withDefaults().imagePullPolicy?.rawValue == policy)
    }

    @Test("an explicit pull policy is kept")
    func explicitPullPolicy() {
        let container = Container(name: "c", image: "redis", imagePullPolicy: "Never")
        #expect(container.withDefaults().imagePullPolicy == "Never")
    }

    @Test("a bare pod gets restart policy Always, a 30 s grace period, ClusterFirst DNS and namespace default")
    func podDefaults() {
        let pod = Pod(metadata: ObjectMeta(name: "p"), spec: PodSpec(containers: [Container(name: "c", image: "x")]))
            .withDefaults()
        #expect(pod.spec.restartPolicy == "Always")
        #expect(pod.spec.terminationGracePeriodSeconds == 30)
        #expect(pod.spec.dnsPolicy == "ClusterFirst")
        #expect(pod.metadata.namespace == "default")
        #expect(pod.spec.containers[0].terminationMessagePath == "/dev/termination-log")
    }

    @Test("values the pod sets are kept, including a zero grace period")
    func keepsExplicitValues() {
        let pod = Pod(
            metadata: ObjectMeta(name: "p", namespace: "kube-system"),
            spec: PodSpec(
                containers: [Container(name: "c", image: "x")], restartPolicy: "Never",
                terminationGracePeriodSeconds: 0, dnsPolicy: "Default")
        ).withDefaults()
        #expect(pod.spec.restartPolicy == "Never")
        #expect(pod.spec.terminationGracePeriodSeconds == 0)
        #expect(pod.spec.dnsPolicy == "Default")
        #expect(pod.metadata.namespace == "kube-system")
    }

    @Test("probes get Kubernetes' timings and HTTP defaults, with no initial delay")
    func probeDefaults() throws {
        let container = Container(
            name: "c", image: "x",
            livenessProbe: Probe(httpGet: HTTPGetAction(port: 80), initialDelaySeconds: 30, periodSeconds: 0),
            readinessProbe: Probe(tcpSocket: TCPSocketAction(port: "http")),
            lifecycle: Lifecycle(preStop: LifecycleHandler(httpGet: HTTPGetAction(port: 8080)))
        ).withDefaults()
        let liveness = try #require(container.livenessProbe)
        #expect(liveness.timeoutSeconds == 1)
        #expect(liveness.periodSeconds == 10)
        #expect(liveness.successThreshold == 1)
        #expect(liveness.failureThreshold == 3)
        #expect(liveness.initialDelaySeconds == 30)
        #expect(liveness.httpGet?.path == "/")
        #expect(liveness.httpGet?.scheme == "HTTP")
        #expect(container.readinessProbe?.initialDelaySeconds == nil)
        #expect(container.lifecycle?.preStop?.httpGet?.scheme == "HTTP")
    }

    @Test("ports default to TCP, and to host ports under host networking")
    func portDefaults() {
        let spec = PodSpec(
            containers: [
                Container(
                    name: "c", image: "x",
                    ports: [ContainerPort(containerPort: 53, protocol: "UDP"), ContainerPort(containerPort: 80)])
            ],
            hostNetwork: true
        ).withDefaults()
        #expect(spec.containers[0].ports?.map(\.protocol) == ["UDP", "TCP"])
        #expect(spec.containers[0].ports?.map(\.hostPort) == [53, 80])
    }

    @Test("requests default to limits for each resource with no request")
    func requestsFromLimits() {
        let pod = Pod(
            metadata: ObjectMeta(name: "p"),
            spec: PodSpec(containers: [
                Container(
                    name: "c", image: "x",
                    resources: ResourceRequirements(
                        limits: ["cpu": Quantity("500m"), "memory": Quantity("500Mi")],
                        requests: ["cpu": Quantity("100m")]))
            ])
        ).withDefaults()
        #expect(pod.spec.containers[0].resources?.requests == ["cpu": Quantity("100m"), "memory": Quantity("500Mi")])
    }

    @Test("defaulting a defaulted pod changes nothing")
    func idempotent() {
        #expect(Fixtures.basePod.withDefaults() == Fixtures.basePod)
    }

    @Test("a controller defaults to one replica and selects its template's labels")
    func controllerDefaults() {
        let controller = ReplicationController(
            spec: ReplicationControllerSpec(
                template: PodTemplateSpec(
                    metadata: ObjectMeta(labels: ["app": "web"]),
                    spec: PodSpec(containers: [Container(name: "c", image: "x")])))
        ).withDefaults()
        #expect(controller.spec.replicas == 1)
        #expect(controller.spec.selector == ["app": "web"])
        #expect(controller.metadata.labels == ["app": "web"])
        #expect(controller.spec.template?.spec.restartPolicy == "Always")
    }

    @Test("a service defaults to ClusterIP, no affinity, TCP and a target port equal to its port")
    func serviceDefaults() {
        let service = Service(spec: ServiceSpec(ports: [ServicePort(port: 6379)])).withDefaults()
        #expect(service.spec.type == "ClusterIP")
        #expect(service.spec.sessionAffinity == "None")
        #expect(service.spec.ports?.first?.protocol == "TCP")
        #expect(service.spec.ports?.first?.targetPort == .int(6379))
        #expect(service.spec.externalTrafficPolicy == nil)
        let nodePort = Service(spec: ServiceSpec(type: "NodePort", sessionAffinity: "ClientIP")).withDefaults()
        #expect(nodePort.spec.externalTrafficPolicy == "Cluster")
        #expect(nodePort.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds == 10800)
    }
}
