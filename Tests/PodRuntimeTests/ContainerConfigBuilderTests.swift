import DockerEngine
import Foundation
import KubeAPI
import Testing

@testable import PodRuntime

@Suite("Building Docker create requests")
struct ContainerConfigBuilderTests {
    /// subPaths join lexically here; the walk of the real filesystem is SubPathResolverTests'.
    let builder = ContainerConfigBuilder(
        nodeName: "node-a", nodeIP: "192.168.1.10", infraImage: "clc-node/pause:1", resolveSubPath: { "\($0)/\($1)" })

    /// A defaulted pod `web` in `default` with the given containers.
    func pod(_ containers: [Container], volumes: [Volume]? = nil) -> Pod {
        Pod(
            metadata: ObjectMeta(name: "web", namespace: "default", uid: "uid-1", labels: ["app": "web"]),
            spec: PodSpec(containers: containers, volumes: volumes)
        ).withDefaults()
    }

    func app(
        _ pod: Pod, index: Int = 0, restartCount: Int = 0, services: [(String, String)] = [],
        volumes: [String: String] = [:]
    ) throws -> ContainerCreateConfig {
        try builder.appContainer(
            pod: pod, index: index, restartCount: restartCount, sandboxID: "infra-id", serviceEnvironment: services,
            volumeHostPaths: volumes, podIP: "10.1.0.5"
        ).config
    }

    @Test("the guestbook's redis master with resource limits gets 500 MiB without swap and half a CPU")
    func guestbookLimits() throws {
        let objects = try TestFixtures.guestbook("redis-master-controller-with-resource-limits.json")
        guard case let .replicationController(controller) = try #require(objects.first) else {
            Issue.record("expected a replication controller, got \(objects)")
            return
        }
        let template = try #require(controller.spec.template)
        var pod = Pod(metadata: template.metadata, spec: template.spec)
        pod.metadata.name = "redis-master-b4x9z"
        pod.metadata.uid = "uid-rm"
        let host = try app(pod.withDefaults()).hostConfig
        #expect(host.memory == 524_288_000)
        #expect(host.memorySwap == 524_288_000)
        #expect(host.cpuShares == 512)
        #expect(host.cpuQuota == 50_000)
        #expect(host.cpuPeriod == 100_000)
        #expect(host.restartPolicy?.name == "no")
    }

    @Test("a container without resources gets the minimum 2 CPU shares and no memory limit")
    func noResources() throws {
        let host = try app(pod([Container(name: "app", image: "redis:7")])).hostConfig
        #expect(host.cpuShares == 2)
        #expect(host.memory == nil)
        #expect(host.memorySwap == nil)
        #expect(host.cpuQuota == nil)
        #expect(host.cpuPeriod == nil)
    }

    @Test("CPU shares come from the request and the quota from the limit")
    func requestAndLimit() throws {
        let resources = ResourceRequirements(limits: ["cpu": Quantity("1")], requests: ["cpu": Quantity("250m")])
        let host = try app(pod([Container(name: "app", image: "redis:7", resources: resources)])).hostConfig
        #expect(host.cpuShares == 256)
        #expect(host.cpuQuota == 100_000)
        #expect(host.cpuPeriod == 100_000)
    }

    @Test("a memory limit that is not a quantity names the pod, the container and the field")
    func badQuantity() throws {
        let resources = ResourceRequirements(limits: ["memory": Quantity("12Qi")])
        let error = #expect(throws: ContainerConfigError.self) {
            try app(pod([Container(name: "app", image: "redis:7", resources: resources)]))
        }
        let description = try #require(error).description
        #expect(description.contains("default/web"))
        #expect(description.contains("container app"))
        #expect(description.contains("spec.containers[0].resources.limits.memory"))
        #expect(description.contains("12Qi"))
    }

    @Test("command becomes the entrypoint and args the cmd")
    func commandAndArgs() throws {
        let config = try app(pod([Container(name: "app", image: "redis:7", command: ["redis-server"], args: ["--port", "6380"])]))
        #expect(config.entrypoint == ["redis-server"])
        #expect(config.cmd == ["--port", "6380"])

        let imageDefaults = try app(pod([Container(name: "app", image: "redis:7")]))
        #expect(imageDefaults.entrypoint == nil)
        #expect(imageDefaults.cmd == nil)
    }

    @Test("$(VAR) references expand in env values and args, $$ escapes a dollar and unknown ones stay")
    func expansion() throws {
        let container = Container(
            name: "app", image: "redis:7", command: ["sh", "-c", "echo $$HOME $(GREETING)"],
            args: ["--master=$(REDIS_MASTER_SERVICE_HOST):$(REDIS_MASTER_SERVICE_PORT)", "$(UNDEFINED)"],
            env: [
                EnvVar(name: "NAME", value: "world"),
                EnvVar(name: "GREETING", value: "hello $(NAME)"),
                EnvVar(name: "PRICE", value: "$$5 and $(LATER)"),
                EnvVar(name: "LATER", value: "later"),
            ])
        let config = try app(
            pod([container]), services: [("REDIS_MASTER_SERVICE_HOST", "10.254.0.11"), ("REDIS_MASTER_SERVICE_PORT", "6379")])
        #expect(
            config.env == [
                "REDIS_MASTER_SERVICE_HOST=10.254.0.11", "REDIS_MASTER_SERVICE_PORT=6379", "NAME=world",
                "GREETING=hello world", "PRICE=$5 and $(LATER)", "LATER=later",
            ])
        #expect(config.entrypoint == ["sh", "-c", "echo $HOME hello world"])
        #expect(config.cmd == ["--master=10.254.0.11:6379", "$(UNDEFINED)"])
    }

    @Test("a container's own variable replaces a service variable of the same name")
    func ownVariableWins() throws {
        let container = Container(name: "app", image: "redis:7", env: [EnvVar(name: "A_SERVICE_HOST", value: "override")])
        let config = try app(pod([container]), services: [("A_SERVICE_HOST", "10.254.0.1"), ("A_SERVICE_PORT", "80")])
        #expect(config.env == ["A_SERVICE_PORT=80", "A_SERVICE_HOST=override"])
    }

    @Test("field references give the pod's name, namespace, address, node and labels")
    func fieldReferences() throws {
        func ref(_ name: String, _ path: String) -> EnvVar {
            EnvVar(name: name, valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: path)))
        }
        let container = Container(
            name: "app", image: "redis:7",
            env: [
                ref("POD_NAME", "metadata.name"), ref("POD_NAMESPACE", "metadata.namespace"), ref("POD_IP", "status.podIP"),
                ref("NODE", "spec.nodeName"), ref("HOST_IP", "status.hostIP"), ref("APP", "metadata.labels['app']"),
            ])
        let config = try app(pod([container]))
        #expect(
            config.env == [
                "POD_NAME=web", "POD_NAMESPACE=default", "POD_IP=10.1.0.5", "NODE=node-a", "HOST_IP=192.168.1.10", "APP=web",
            ])
    }

    @Test("an unsupported field reference names the env entry")
    func unsupportedFieldReference() throws {
        let variable = EnvVar(name: "X", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "spec.nope")))
        let error = #expect(throws: ContainerConfigError.self) {
            try app(pod([Container(name: "app", image: "redis:7", env: [variable])]))
        }
        #expect(error?.field == "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath")
    }

    @Test("emptyDir and hostPath volumes become binds, read-only ones with :ro")
    func binds() throws {
        let container = Container(
            name: "app", image: "redis:7",
            volumeMounts: [
                VolumeMount(name: "data", mountPath: "/data"),
                VolumeMount(name: "config", mountPath: "/etc/app", readOnly: true),
                VolumeMount(name: "config", mountPath: "/etc/extra", subPath: "extra"),
            ])
        let volumes = [
            Volume(name: "data", emptyDir: EmptyDirVolumeSource()),
            Volume(name: "config", hostPath: HostPathVolumeSource(path: "/srv/config")),
        ]
        let emptyDir = "/var/lib/clc-node/pods/uid-1/volumes/kubernetes.io~empty-dir/data"
        let config = try app(pod([container], volumes: volumes), volumes: ["data": emptyDir, "config": "/srv/config"])
        #expect(config.hostConfig.binds == ["\(emptyDir):/data", "/srv/config:/etc/app:ro", "/srv/config/extra:/etc/extra"])
    }

    @Test("a mount of a volume the pod does not have names the mount")
    func unknownVolume() throws {
        let container = Container(name: "app", image: "redis:7", volumeMounts: [VolumeMount(name: "missing", mountPath: "/x")])
        let error = #expect(throws: ContainerConfigError.self) { try app(pod([container])) }
        #expect(error?.field == "spec.containers[0].volumeMounts[0].name")
    }

    @Test("app containers join the infra container's network and IPC namespaces")
    func joinsSandbox() throws {
        let host = try app(pod([Container(name: "app", image: "redis:7")])).hostConfig
        #expect(host.networkMode == "container:infra-id")
        #expect(host.ipcMode == "container:infra-id")
    }

    @Test("an app container carries the pod's labels, its restart count and spec hash, and kubelet's Docker name")
    func labelsAndName() throws {
        let pod = pod([Container(name: "app", image: "redis:7")])
        let built = try builder.appContainer(
            pod: pod, index: 0, restartCount: 3, sandboxID: "infra-id", serviceEnvironment: [], volumeHostPaths: [:],
            podIP: nil)
        #expect(built.name == "k8s_app_web_default_uid-1_3")
        #expect(
            built.config.labels == [
                "io.kubernetes.pod.name": "web", "io.kubernetes.pod.namespace": "default", "io.kubernetes.pod.uid": "uid-1",
                "io.kubernetes.container.name": "app", "io.kubernetes.container.restartCount": "3",
                "io.kubernetes.container.hash": ContainerHash.of(pod.spec.containers[0]),
                "io.kubernetes.docker.type": "container", "io.kubernetes.pod.terminationGracePeriod": "30",
                "io.clc-node.node": "node-a", "io.clc-node.container.image": "redis:7", "io.clc-node.pod.source": "api",
            ])
        #expect(built.config.image == "redis:7")
    }

    @Test("containers of a static pod are labelled with the file source, as kubelet's config.source annotation says")
    func fileSourceLabel() throws {
        var pod = pod([Container(name: "app", image: "redis:7")])
        pod.metadata.annotations = ["kubernetes.io/config.source": "file"]
        #expect(try builder.infraContainer(pod: pod, attempt: 0).config.labels["io.clc-node.pod.source"] == "file")
    }

    @Test("the infra container is shareable for IPC and exposes every port of the pod's containers")
    func infraContainer() throws {
        let pod = pod([
            Container(name: "web", image: "nginx:1", ports: [ContainerPort(containerPort: 80), ContainerPort(containerPort: 443)]),
            Container(name: "dns", image: "dns:1", ports: [ContainerPort(containerPort: 53, protocol: "UDP")]),
            Container(name: "worker", image: "worker:1"),
        ])
        let built = try builder.infraContainer(pod: pod, attempt: 2)
        #expect(built.name == "k8s_POD_web_default_uid-1_2")
        #expect(built.config.image == "clc-node/pause:1")
        #expect(built.config.hostConfig.ipcMode == "shareable")
        #expect(built.config.hostConfig.networkMode == nil)
        #expect(built.config.exposedPorts.map { Set($0.keys) } == ["80/tcp", "443/tcp", "53/udp"])
        #expect(built.config.labels["io.kubernetes.docker.type"] == "podsandbox")
        #expect(built.config.labels["io.kubernetes.container.name"] == "POD")
        #expect(built.config.labels["io.kubernetes.container.restartCount"] == "2")
        #expect(built.config.hostname == "web")
    }

    @Test("an infra container on the pod network names it as its network mode and records it in labels; on the default bridge neither")
    func infraContainerOnPodNetwork() throws {
        let pod = pod([Container(name: "web", image: "nginx:1")])
        let built = try builder.infraContainer(pod: pod, attempt: 0, network: SandboxNetwork(name: "clc-pods", id: "net-1"))
        #expect(built.config.hostConfig.networkMode == "clc-pods")
        #expect(built.config.labels["io.clc-node.pod.network"] == "clc-pods")
        #expect(built.config.labels["io.clc-node.pod.network.id"] == "net-1")
        let onBridge = try builder.infraContainer(pod: pod, attempt: 0)
        #expect(onBridge.config.hostConfig.networkMode == nil)
        #expect(onBridge.config.labels["io.clc-node.pod.network"] == nil)
        #expect(onBridge.config.labels["io.clc-node.pod.network.id"] == nil)
    }

    @Test("a changed container spec changes its hash; an identical one keeps it")
    func hash() {
        let base = Container(name: "app", image: "redis:7")
        var changed = base
        changed.image = "redis:8"
        #expect(ContainerHash.of(base) == ContainerHash.of(Container(name: "app", image: "redis:7")))
        #expect(ContainerHash.of(base) != ContainerHash.of(changed))
    }

    @Test("a hash kept from an earlier call is the one the spec's JSON gives, across more specs than are kept")
    func keptHashes() {
        let specs = (0..<(ContainerHash.memoLimit + 10)).map { Container(name: "app-\($0)", image: "redis:7") }
        for spec in specs + specs.prefix(20) {
            #expect(ContainerHash.of(spec) == ContainerHash.compute(spec))
        }
        var withEnv = specs[0]
        withEnv.env = [EnvVar(name: "A", value: "1")]
        #expect(ContainerHash.of(withEnv) == ContainerHash.compute(withEnv))
        #expect(ContainerHash.of(withEnv) != ContainerHash.of(specs[0]))
    }
}
