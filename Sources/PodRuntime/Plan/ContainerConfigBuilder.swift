import DockerEngine
import Foundation
import KubeAPI

/// Turns a pod's containers into Docker create requests: names, labels, command and args,
/// environment, volumes, and cgroup limits as kubelet computes them.
public struct ContainerConfigBuilder: Sendable {
    public var nodeName: String
    public var nodeIP: String?
    public var infraImage: String
    /// Whether containers may ask for `securityContext.privileged` (`--allow-privileged`,
    /// kubelet's flag; default false: a privileged container could take over the node).
    public var allowPrivileged: Bool
    /// Turns (volume host directory, subPath) into the host path Docker binds; the real one
    /// walks the volume without following links (``SubPathResolver``). Tests pass their own.
    public var resolveSubPath: @Sendable (_ volumeRoot: String, _ subPath: String) throws(SubPathError) -> String
    /// Where `seccompProfile.localhostProfile` paths start (kubelet: `<root-dir>/seccomp`).
    public var seccompProfileDirectory: String

    public init(
        nodeName: String, nodeIP: String?, infraImage: String, allowPrivileged: Bool = false,
        seccompProfileDirectory: String = "/var/lib/clc-node/seccomp",
        resolveSubPath: @escaping @Sendable (_ volumeRoot: String, _ subPath: String) throws(SubPathError) -> String = {
            (root, subPath) throws(SubPathError) in try SubPathResolver.resolve(volumeRoot: root, subPath: subPath)
        }
    ) {
        self.nodeName = nodeName
        self.nodeIP = nodeIP
        self.infraImage = infraImage
        self.allowPrivileged = allowPrivileged
        self.resolveSubPath = resolveSubPath
        self.seccompProfileDirectory = seccompProfileDirectory
    }

    /// The Docker name kubelet used: `k8s_<container>_<pod>_<namespace>_<uid>_<attempt>`.
    public static func dockerName(container: String, pod: Pod, attempt: Int) -> String {
        let meta = pod.metadata
        return "k8s_\(container)_\(meta.name ?? "")_\(meta.namespace ?? "default")_\(meta.uid ?? "")_\(attempt)"
    }

    /// The infra container: it holds the pod's network and IPC namespaces.
    /// - Parameter network: the Docker network it joins; Docker's default bridge leaves the
    ///   request as it always was (no network mode, no network labels).
    /// - Throws: ``ContainerConfigError`` for a `hostNetwork` pod without `--allow-privileged`.
    public func infraContainer(
        pod: Pod, attempt: Int, network: SandboxNetwork = .defaultBridge
    ) throws(ContainerConfigError) -> (name: String, config: ContainerCreateConfig) {
        var labels = podLabels(pod)
        labels[ContainerLabels.containerName] = ContainerLabels.infraContainerName
        labels[ContainerLabels.dockerType] = ContainerLabels.sandboxType
        labels[ContainerLabels.restartCount] = String(attempt)
        labels[ContainerLabels.specImage] = infraImage
        if pod.spec.hostNetwork == true {
            guard allowPrivileged else {
                throw ContainerConfigError(
                    pod: "\(pod.metadata.namespace ?? "default")/\(pod.metadata.name ?? "")", container: ContainerLabels.infraContainerName,
                    field: "spec.hostNetwork",
                    detail: "Forbidden: sharing the node's namespaces is disallowed by cluster policy (the agent runs without --allow-privileged)")
            }
            // The node's network: Docker reports no address there, so the pod IP (the node's)
            // is kept in a label; no hostname or ports, which the host network does not take.
            labels[ContainerLabels.network] = SandboxNetwork.host.name
            labels[ContainerLabels.podIP] = nodeIP ?? ""
            var host = HostConfig(networkMode: "host", ipcMode: pod.spec.hostIPC == true ? "host" : "shareable", cpuShares: 2)
            if pod.spec.hostPID == true { host.pidMode = "host" }
            return (
                Self.dockerName(container: ContainerLabels.infraContainerName, pod: pod, attempt: attempt),
                ContainerCreateConfig(image: infraImage, labels: labels, hostConfig: host)
            )
        }
        if !network.isDefaultBridge {
            labels[ContainerLabels.network] = network.name
            labels[ContainerLabels.networkID] = network.id
        }
        let hostname = String((pod.spec.hostname ?? pod.metadata.name ?? "pod").prefix(63))
        // Ports belong to the network namespace, so the infra container declares them all
        // (Docker refuses them on containers that join another's network).
        var exposed: [String: EmptyObject] = [:]
        for container in pod.spec.containers {
            for port in container.ports ?? [] {
                exposed["\(port.containerPort)/\((port.protocol ?? "TCP").lowercased())"] = EmptyObject()
            }
        }
        var hostConfig = HostConfig(
            networkMode: network.isDefaultBridge ? nil : network.name, ipcMode: pod.spec.hostIPC == true && allowPrivileged ? "host" : "shareable", cpuShares: 2)
        let bindings = hostPortBindings(pod)
        if !bindings.isEmpty { hostConfig.portBindings = bindings }
        let config = ContainerCreateConfig(
            image: infraImage, hostname: hostname, labels: labels, exposedPorts: exposed.isEmpty ? nil : exposed,
            hostConfig: hostConfig)
        return (Self.dockerName(container: ContainerLabels.infraContainerName, pod: pod, attempt: attempt), config)
    }

    /// An app container joining the infra container `sandboxID`.
    /// - Parameters:
    ///   - serviceEnvironment: `<NAME>_SERVICE_HOST` and friends, placed before the spec's own.
    ///   - volumeHostPaths: volume name -> host directory (emptyDir or hostPath).
    ///   - podIP: the infra container's address, for `status.podIP` field references.
    ///   - readOnlyVolumes: volumes bound read-only whatever the mount says (secret, configMap,
    ///     downwardAPI and projected: kubelet's ReadOnlyAPIDataVolumes), whose subPaths name
    ///     the atomic writer's links.
    ///   - objects: the secrets and configMaps `env` and `envFrom` refer to.
    /// - Throws: ``ContainerConfigError`` naming the field that cannot be honoured.
    public func appContainer(
        pod: Pod, index: Int, restartCount: Int, sandboxID: String, serviceEnvironment: [(String, String)],
        volumeHostPaths: [String: String], podIP: String?, readOnlyVolumes: Set<String> = [], objects: PodObjects = PodObjects()
    ) throws(ContainerConfigError) -> (name: String, config: ContainerCreateConfig) {
        let spec = pod.spec.containers[index]
        let podName = "\(pod.metadata.namespace ?? "default")/\(pod.metadata.name ?? "")"
        let field = "spec.containers[\(index)]"
        func fail(_ path: String, _ detail: String) -> ContainerConfigError {
            ContainerConfigError(pod: podName, container: spec.name, field: "\(field).\(path)", detail: detail)
        }
        guard let image = spec.image, !image.isEmpty else { throw fail("image", "must not be empty") }
        if spec.securityContext?.privileged == true, !allowPrivileged {
            // kubelet's words when --allow-privileged=false refused a container.
            throw fail("securityContext.privileged", "Forbidden: disallowed by cluster policy (the agent runs without --allow-privileged)")
        }

        var labels = podLabels(pod)
        labels[ContainerLabels.containerName] = spec.name
        labels[ContainerLabels.dockerType] = ContainerLabels.containerType
        labels[ContainerLabels.containerHash] = ContainerHash.of(spec)
        labels[ContainerLabels.restartCount] = String(restartCount)
        labels[ContainerLabels.specImage] = image

        let environment = try self.environment(
            for: spec, pod: pod, services: serviceEnvironment, podIP: podIP, objects: objects, fail: fail)
        let lookup = Dictionary(environment, uniquingKeysWith: { _, last in last })
        let command = spec.command.map { $0.map { EnvExpansion.expand($0, with: lookup) } }
        let args = spec.args.map { $0.map { EnvExpansion.expand($0, with: lookup) } }

        var binds: [String] = []
        for (mountIndex, mount) in (spec.volumeMounts ?? []).enumerated() {
            guard let name = mount.name, let host = volumeHostPaths[name] else {
                throw fail("volumeMounts[\(mountIndex)].name", "no volume named \"\(mount.name ?? "")\" in the pod")
            }
            guard let path = mount.mountPath, path.hasPrefix("/") else {
                throw fail("volumeMounts[\(mountIndex)].mountPath", "must be an absolute path")
            }
            // Never `host + "/" + subPath`: Docker would follow a link the pod planted there.
            var source = host
            if let subPath = mount.subPath, !subPath.isEmpty {
                do {
                    let within = readOnlyVolumes.contains(name) ? AtomicWriter.payloadPath(volume: host, subPath: subPath) : subPath
                    source = try resolveSubPath(host, within)
                } catch {
                    throw fail("volumeMounts[\(mountIndex)].subPath", "\(error)")
                }
            }
            // A colon would end the bind's source or target early and start its options.
            if source.contains(":") { throw fail("volumeMounts[\(mountIndex)]", "the host path \(source) contains ':', which a Docker bind cannot carry") }
            if path.contains(":") { throw fail("volumeMounts[\(mountIndex)].mountPath", "must not contain ':'") }
            binds.append("\(source):\(path)" + (mount.readOnly == true || readOnlyVolumes.contains(name) ? ":ro" : ""))
        }

        var hostConfig = HostConfig(
            networkMode: "container:\(sandboxID)", ipcMode: "container:\(sandboxID)",
            binds: binds.isEmpty ? nil : binds, privileged: spec.securityContext?.privileged)
        try applyResources(spec.resources, to: &hostConfig, fail: fail)
        let user = try applySecurity(pod: pod, index: index, to: &hostConfig, fail: fail)

        // Kubernetes' command replaces the image's ENTRYPOINT and, with it, its CMD; args alone
        // replace CMD. Docker does the same when Entrypoint is given without Cmd.
        let config = ContainerCreateConfig(
            image: image, entrypoint: command, cmd: args,
            env: environment.map { "\($0.0)=\($0.1)" }, workingDir: spec.workingDir, labels: labels,
            tty: spec.tty, openStdin: spec.stdin,
            hostConfig: hostConfig, user: user)
        return (Self.dockerName(container: spec.name, pod: pod, attempt: restartCount), config)
    }

    /// cgroup limits, as kubelet: CpuShares from the cpu request (else the limit, else the
    /// minimum 2), CpuQuota over a 100 ms period from the cpu limit, Memory (and MemorySwap, so
    /// no swap on top) from the memory limit.
    private func applyResources(
        _ resources: ResourceRequirements?, to host: inout HostConfig, fail: (String, String) -> ContainerConfigError
    ) throws(ContainerConfigError) {
        func read(_ kind: String, _ name: String, milli: Bool) throws(ContainerConfigError) -> Int64? {
            let list = kind == "limits" ? resources?.limits : resources?.requests
            guard let quantity = list?[name] else { return nil }
            let value: Int64
            do {
                value = milli ? try quantity.milliValue() : try quantity.value()
            } catch {
                throw fail("resources.\(kind).\(name)", "Invalid value: \"\(quantity.text)\": \(error)")
            }
            if value < 0 { throw fail("resources.\(kind).\(name)", "Invalid value: \"\(quantity.text)\": must be greater than or equal to 0") }
            return value
        }
        let cpuLimit = try read("limits", "cpu", milli: true)
        let cpuRequest = try read("requests", "cpu", milli: true) ?? cpuLimit
        let memoryLimit = try read("limits", "memory", milli: false)
        _ = try read("requests", "memory", milli: false)

        host.cpuShares = Self.cpuShares(milliCPU: cpuRequest ?? 0)
        if let cpuLimit, cpuLimit > 0 {
            host.cpuPeriod = Self.cpuPeriod
            host.cpuQuota = Self.cpuQuota(milliCPU: cpuLimit)
        }
        if let memoryLimit, memoryLimit > 0 {
            host.memory = memoryLimit
            host.memorySwap = memoryLimit
        }
    }

    /// The CFS period of a container with a cpu limit, in microseconds (kubelet's 100 ms).
    static let cpuPeriod: Int64 = 100_000
    /// The most CPU shares the kernel takes (kubelet's MaxShares).
    static let maxCPUShares: Int64 = 262_144

    /// kubelet's MilliCPUToShares: milliCPU × 1024 / 1000, at least 2 and at most
    /// ``maxCPUShares``. A request of billions of CPUs (which a quantity can write, `cpu: 100G`)
    /// gives the most, where the product would overflow.
    static func cpuShares(milliCPU: Int64) -> Int64 {
        let (product, overflow) = milliCPU.multipliedReportingOverflow(by: 1024)
        return overflow ? maxCPUShares : min(maxCPUShares, max(2, product / 1000))
    }

    /// kubelet's MilliCPUToQuota: milliCPU × period / 1000, at least 1 ms. A limit so large that
    /// the product overflows gives the largest quota, which the engine refuses for that
    /// container (the agent itself must not trap on it).
    static func cpuQuota(milliCPU: Int64) -> Int64 {
        let (product, overflow) = milliCPU.multipliedReportingOverflow(by: cpuPeriod)
        return overflow ? Int64.max : max(1000, product / 1000)
    }

    private func podLabels(_ pod: Pod) -> [String: String] {
        var labels = [
            ContainerLabels.podName: pod.metadata.name ?? "",
            ContainerLabels.podNamespace: pod.metadata.namespace ?? "default",
            ContainerLabels.podUID: pod.metadata.uid ?? "",
            ContainerLabels.node: nodeName,
            ContainerLabels.podSource: PodConfigSource(of: pod).rawValue,
        ]
        if let grace = pod.spec.terminationGracePeriodSeconds {
            labels[ContainerLabels.terminationGracePeriod] = String(grace)
        }
        return labels
    }
}

