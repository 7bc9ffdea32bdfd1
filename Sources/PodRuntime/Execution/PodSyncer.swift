import AgentTime
import DockerEngine
import Foundation
import KubeAPI
import Logging
import Probes

/// Carries out pod sync: observes a pod's containers in the engine, asks the
/// ``PodActionPlanner`` what to do, and does it. Keeps the only in-memory state of pod sync:
/// back-off tables and the last reason each container is waiting.
public actor PodSyncer {
    /// The result of one sync, for status and for scheduling the next one.
    public struct Outcome: Sendable {
        public var observed: ObservedPod
        /// Why containers that are not running wait (by container name).
        public var waiting: [String: PodActions.Waiting]
        /// When a back-off ends and the pod wants another sync.
        public var nextSync: Date?
        /// Nothing of the pod runs any more (after a pod was removed).
        public var isStopped: Bool { observed.running.isEmpty }
    }

    public struct Configuration: Sendable {
        public var nodeName: String
        public var nodeIP: String?
        public var infraImage: String
        /// Where emptyDir volumes live: `<stateDirectory>/pods/<uid>/volumes/...`.
        public var stateDirectory: String
        /// Crash-loop back-off: 10 s doubling to 300 s, as kubelet.
        public var crashLoopBackOff: BackOff
        /// Image pull back-off, as kubelet.
        public var imagePullBackOff: BackOff
        /// Grace period floor, as kubelet's minimum of 2 s.
        public var minimumGracePeriodSeconds: Int64
        /// How long a registry host found unreachable is left alone: 1 min doubling to 10 min.
        public var registryOutages: RegistryOutages
        /// The Docker network infra containers join; nil keeps them on Docker's default bridge.
        public var podNetwork: PodNetwork?
        /// Why the pod network is not known yet (flannel has no lease yet), when it will come
        /// later through ``PodSyncer/setPodNetwork(_:)``: until then no infra container is
        /// created, rather than one on Docker's default bridge.
        public var podNetworkPending: String?
        /// Whether privileged containers may run (`--allow-privileged`); default false.
        public var allowPrivileged: Bool
        /// `--cluster-dns`, `--cluster-domain`, `--resolv-conf`: what pods' resolv.conf holds.
        public var dns: ClusterDNS

        public init(
            nodeName: String, nodeIP: String?, infraImage: String, stateDirectory: String,
            crashLoopBackOff: BackOff = BackOff(), imagePullBackOff: BackOff = BackOff(),
            minimumGracePeriodSeconds: Int64 = 2, registryOutages: RegistryOutages = RegistryOutages(),
            podNetwork: PodNetwork? = nil, podNetworkPending: String? = nil, allowPrivileged: Bool = false,
            dns: ClusterDNS = ClusterDNS()
        ) {
            self.nodeName = nodeName
            self.nodeIP = nodeIP
            self.infraImage = infraImage
            self.stateDirectory = stateDirectory
            self.crashLoopBackOff = crashLoopBackOff
            self.imagePullBackOff = imagePullBackOff
            self.minimumGracePeriodSeconds = minimumGracePeriodSeconds
            self.registryOutages = registryOutages
            self.podNetwork = podNetwork
            self.podNetworkPending = podNetworkPending
            self.allowPrivileged = allowPrivileged
            self.dns = dns
        }
    }

    private let engine: any DockerEngine
    private var configuration: Configuration
    private let builder: ContainerConfigBuilder
    /// Judges sandboxes by the pod network once it is set up (see ``ensurePodNetwork()``).
    private var planner: PodActionPlanner
    /// The set-up pod network, or the set-up under way (pod workers share one).
    private var podNetworkSetUp: Task<Result<SandboxNetwork, PodNetworkError>, Never>?
    private var sandboxNetwork: SandboxNetwork?
    private let events: any EventRecorder
    private let infraImage: InfraImageProvisioner
    private let puller: ImagePuller
    private let hooks: LifecycleHooks
    /// Secret, configMap, downwardAPI and projected volumes, and the objects env refers to.
    private let volumes: PodVolumeManager
    private let logger: Logger
    /// The clock of every wait and retry time the syncer computes (``SteadyClock/process``).
    public let now: @Sendable () -> Date

    private var crashBackOff: BackOff
    private var pullBackOff: BackOff
    private var pullFailures: [String: Date] = [:]
    private var waitingReasons: [String: [String: PodActions.Waiting]] = [:]
    /// Containers whose last start failed before a container existed (configuration, create,
    /// image): not retried before this time, whatever wakes the pod.
    private var retryNotBefore: [String: Date] = [:]
    /// Inspected containers by ID, with the state the list showed then.
    private var inspected: [String: (state: String, container: ObservedContainer)] = [:]
    private var inspectedByPod: [String: Set<String>] = [:]
    /// When the syncer first saw each inspected container running and stopped (steady clock);
    /// kept across ``invalidate(containerID:)``, dropped with the inspection.
    private var sightings: [String: Sighting] = [:]
    private struct Sighting {
        var running: Date?
        var stopped: Date?
    }

    /// - Parameters:
    ///   - puller: pulls for every pod of the node; one over `engine` with the configuration's
    ///     registry outages when nil.
    ///   - objects: where secrets, configMaps and service account tokens come from (the
    ///     master); without one, pods that refer to them wait.
    public init(
        engine: any DockerEngine, configuration: Configuration, events: any EventRecorder,
        infraImage: InfraImageProvisioner, puller: ImagePuller? = nil, handlers: (any HandlerRunner)? = nil,
        objects: (any PodObjectSource)? = nil,
        logger: Logger, now: @escaping @Sendable () -> Date = { SteadyClock.process.now }
    ) {
        self.volumes = PodVolumeManager(
            stateDirectory: configuration.stateDirectory, source: objects ?? NoMasterObjectSource(), logger: logger, now: now)
        self.puller = puller ?? ImagePuller(engine: engine, outages: configuration.registryOutages, logger: logger, now: now)
        self.hooks = LifecycleHooks(handlers: handlers ?? NetworkHandlerRunner(executor: DockerContainerExecutor(engine: engine)), events: events)
        self.engine = engine
        self.configuration = configuration
        self.builder = ContainerConfigBuilder(
            nodeName: configuration.nodeName, nodeIP: configuration.nodeIP, infraImage: configuration.infraImage,
            allowPrivileged: configuration.allowPrivileged, seccompProfileDirectory: "\(configuration.stateDirectory)/seccomp")
        self.events = events
        self.infraImage = infraImage
        self.logger = logger
        self.now = now
        self.crashBackOff = configuration.crashLoopBackOff
        self.pullBackOff = configuration.imagePullBackOff
        self.sandboxNetwork = configuration.podNetwork == nil && configuration.podNetworkPending == nil ? .defaultBridge : nil
        self.planner = PodActionPlanner(network: sandboxNetwork)
    }

    // MARK: The pod network

    /// Makes the engine hold the configured pod network (adopting, recreating or creating it);
    /// from then on infra containers are created on it and pods whose infra container is on
    /// another network are recreated. Sync calls it itself when it has not run yet; call it
    /// before the first sync to learn of a failure at once.
    /// - Returns: the network infra containers join (Docker's default bridge when none is
    ///   configured).
    /// - Throws: ``PodNetworkError``; sync keeps trying, and creates no infra container meanwhile.
    @discardableResult
    public func ensurePodNetwork() async throws(PodNetworkError) -> SandboxNetwork {
        if let sandboxNetwork { return sandboxNetwork }
        guard let desired = configuration.podNetwork else {
            if let pending = configuration.podNetworkPending { throw .pending(pending) }
            return .defaultBridge
        }
        let task = podNetworkSetUp ?? Task { [engine, logger] in
            do throws(PodNetworkError) {
                return .success(try await PodNetworkProvisioner(engine: engine, logger: logger).ensure(desired))
            } catch {
                return .failure(error)
            }
        }
        podNetworkSetUp = task
        let result = await task.value
        // A change of network while this one was set up wins.
        guard configuration.podNetwork == desired, podNetworkSetUp == task else { return try await ensurePodNetwork() }
        podNetworkSetUp = nil
        let network = try result.get()
        sandboxNetwork = network
        planner.network = network
        return network
    }

    /// Changes the pod network (a new lease) and sets it up; pods on the previous one are
    /// recreated by their next sync. Nil returns infra containers to Docker's default bridge.
    @discardableResult
    public func setPodNetwork(_ network: PodNetwork?) async throws(PodNetworkError) -> SandboxNetwork {
        if network != configuration.podNetwork || configuration.podNetworkPending != nil {
            configuration.podNetwork = network
            configuration.podNetworkPending = nil
            podNetworkSetUp = nil
            sandboxNetwork = network == nil ? .defaultBridge : nil
            planner.network = sandboxNetwork
        }
        return try await ensurePodNetwork()
    }

    // MARK: Observing

    /// The pod's containers in the engine.
    public func observe(uid: String) async throws(DockerError) -> ObservedPod {
        let summaries = try await engine.listContainers(labels: [
            "\(ContainerLabels.podUID)=\(uid)", "\(ContainerLabels.node)=\(configuration.nodeName)",
        ])
        var containers: [ObservedContainer] = []
        var seen: [String: (state: String, container: ObservedContainer)] = [:]
        for summary in summaries {
            // What inspect tells does not change while the listed state stays the same (a
            // running container keeps its start time and address; an exited one is frozen), so
            // a resync of a quiet pod costs one list and no inspects. The list can lag behind
            // the engine's events, so a container an event named is inspected again anyway.
            if let cached = inspected[summary.id], cached.state == summary.state {
                containers.append(cached.container)
                seen[summary.id] = cached
                continue
            }
            do {
                if var container = ObservedContainer(try await engine.inspectContainer(id: summary.id)) {
                    // When this agent first saw it running and stopped, on its steady clock.
                    var sighting = sightings[summary.id] ?? Sighting()
                    if container.state == .running {
                        sighting.running = sighting.running ?? now()
                    } else {
                        sighting.stopped = sighting.stopped ?? now()
                    }
                    sightings[summary.id] = sighting
                    container.runSeenAt = sighting.running
                    container.stopSeenAt = container.state == .running ? nil : sighting.stopped
                    containers.append(container)
                    seen[summary.id] = (summary.state, container)
                }
            } catch where error.isNotFound {
                continue  // removed between list and inspect
            }
        }
        for id in inspectedByPod[uid] ?? [] where seen[id] == nil { forgetInspection(id) }
        for (id, entry) in seen { inspected[id] = entry }
        inspectedByPod[uid] = Set(seen.keys)
        return ObservedPod(uid: uid, containers: containers)
    }

    /// Every pod this node's agent has containers for, running or not, with the source its
    /// containers name (nil for containers without the label).
    public func observedPodSources() async throws(DockerError) -> [String: PodConfigSource?] {
        let summaries = try await engine.listContainers(labels: ["\(ContainerLabels.node)=\(configuration.nodeName)"])
        var labelled: [String: PodConfigSource] = [:]
        var unlabelled: Set<String> = []
        for summary in summaries {
            guard let uid = summary.labels[ContainerLabels.podUID] else { continue }
            if let source = summary.labels[ContainerLabels.podSource].flatMap(PodConfigSource.init(rawValue:)) {
                labelled[uid] = source
            } else {
                unlabelled.insert(uid)
            }
        }
        var sources: [String: PodConfigSource?] = labelled.mapValues { $0 }
        for uid in unlabelled where labelled[uid] == nil { sources[uid] = .some(nil) }
        return sources
    }

    // MARK: Syncing

    /// Brings the engine in line with `pod`; with `pod` nil, stops and removes everything of
    /// `uid`.
    /// - Parameters:
    ///   - services: services whose variables new containers get.
    ///   - unhealthy: running container IDs whose liveness probe failed.
    public func sync(
        uid: String, pod: Pod?, services: [Service], unhealthy: Set<String> = []
    ) async throws(DockerError) -> Outcome {
        // Not `pod == nil`: for an Equatable type that is Optional's `==`, which copies both
        // sides, and in an async function each such pair stays in the frame (1.3 KB a Pod?).
        let removed = if case .none = pod { true } else { false }
        let specLogger = logger.with(pod: pod, uid: uid)
        if sandboxNetwork == nil, !removed {
            do {
                try await ensurePodNetwork()
            } catch where !error.isPending {
                specLogger.warning("the pod network is not ready: \(error)")
            } catch {}
        }
        var observed = try await observe(uid: uid)
        // A pod removed from its source has no spec: its containers' labels still name it.
        let podLogger = removed ? specLogger.with(observed: observed) : specLogger
        let actions = planner.plan(pod: pod, observed: observed, backOff: crashBackOff, now: now(), unhealthy: unhealthy)
        var waiting = waitingReasons[uid] ?? [:]
        for (name, reason) in actions.waiting {
            if waiting[name] != reason, let pod {
                events.record(PodEvent(pod: pod, container: name, kind: .warning, reason: "BackOff", message: "Back-off restarting failed container \(name)"))
            }
            waiting[name] = reason
        }

        if actions.killPod {
            if let pod, actions.createSandbox, !actions.killPodReason.isEmpty {
                events.record(PodEvent(pod: pod, kind: .normal, reason: "SandboxChanged", message: "Pod \(actions.killPodReason)"))
            }
            await killPod(observed, pod: pod, logger: podLogger)
        }
        let before = observed
        await withTaskGroup(of: Void.self) { group in
            for kill in actions.containersToKill {
                group.addTask { await self.stop(containerID: kill.containerID, name: kill.name, reason: kill.reason, pod: pod, observed: before, logger: podLogger) }
            }
        }

        var nextSync = actions.nextSync
        if let pod, pod.metadata.deletionTimestamp == nil {
            var sandboxID = actions.sandboxID
            var podIP = observed.sandboxes.first { $0.id == sandboxID }?.ipAddress
            // Every sync writes the API-data volumes again (kubelet's WaitForAttachAndMount):
            // that is how object changes and renewed tokens reach running containers.
            let apiVolumes = await setUpAPIVolumes(pod: pod, podIP: podIP, logger: podLogger)
            if let wait = apiVolumes.wait {
                for start in actions.containersToStart { waiting[start.name] = wait }
                nextSync = min(nextSync ?? apiVolumes.retryAt, apiVolumes.retryAt)
            } else if let refresh = apiVolumes.refreshAt {
                nextSync = min(nextSync ?? refresh, refresh)
            }
            if apiVolumes.wait != nil {
                // As kubelet: no sandbox and no container before every volume is mounted.
            } else if actions.createSandbox {
                do {
                    (sandboxID, podIP) = try await createSandbox(pod: pod, attempt: actions.sandboxAttempt, logger: podLogger)
                } catch {
                    let failure = SandboxFailure(error: error, now: now())
                    if failure.kind.isError {
                        podLogger.error("cannot create the infra container: \(error)")
                    } else {
                        podLogger.debug("infra container waits for the pod network: \(error)")
                    }
                    events.record(PodEvent(pod: pod, kind: .warning, reason: failure.kind.eventReason, message: failure.message))
                    for start in actions.containersToStart { waiting[start.name] = failure.waiting }
                    nextSync = failure.retryAt
                    sandboxID = nil
                }
            }
            if apiVolumes.wait == nil, let sandboxID {
                for start in actions.containersToStart {
                    let retryKey = "\(uid)/\(start.name)"
                    if let notBefore = retryNotBefore[retryKey], notBefore > now() {
                        nextSync = min(nextSync ?? notBefore, notBefore)
                        continue
                    }
                    retryNotBefore[retryKey] = nil
                    let failure = await startContainer(
                        start, pod: pod, sandboxID: sandboxID, podIP: podIP, services: services, apiVolumes: apiVolumes.paths,
                        logger: podLogger)
                    if let failure {
                        waiting[start.name] = failure.waiting
                        nextSync = min(nextSync ?? failure.retryAt, failure.retryAt)
                        retryNotBefore[retryKey] = failure.holdsUntil
                    } else {
                        waiting[start.name] = nil
                    }
                }
            }
        }

        for id in actions.containersToRemove {
            do {
                try await engine.removeContainer(id: id)
            } catch {
                if !error.isNotFound && !error.isConflict { podLogger.warning("cannot remove dead container \(id.prefix(12)): \(error)") }
            }
        }

        // Observe again so that the outcome shows what this sync did (a removed pod is stopped).
        if !actions.isEmpty { observed = try await observe(uid: uid) }
        if removed {
            waitingReasons[uid] = nil
            crashBackOff.reset(prefix: uid + "/")
            pullBackOff.reset(prefix: uid + "/")
            pullFailures = pullFailures.filter { !$0.key.hasPrefix(uid + "/") }
            retryNotBefore = retryNotBefore.filter { !$0.key.hasPrefix(uid + "/") }
            for id in inspectedByPod.removeValue(forKey: uid) ?? [] { forgetInspection(id) }
            await volumes.forget(podUID: uid)
            events.forget(podUID: uid)
        } else {
            // Running containers wait for nothing.
            for container in observed.running { waiting[container.name] = nil }
            waitingReasons[uid] = waiting
        }
        return Outcome(observed: observed, waiting: removed ? [:] : waiting, nextSync: nextSync)
    }

    /// Writes the pod's secret, configMap, downwardAPI and projected volumes. A volume that
    /// cannot be set up holds the pod back as kubelet does: its containers wait in
    /// ContainerCreating, with a FailedMount warning naming the volume and the object.
    private func setUpAPIVolumes(
        pod: Pod, podIP: String?, logger: Logger
    ) async -> (paths: [String: String], wait: PodActions.Waiting?, retryAt: Date, refreshAt: Date?) {
        let retryAt = now().addingTimeInterval(2)
        guard (pod.spec.volumes ?? []).contains(where: { VolumePayloadPlanner.kind(of: $0) != nil }) else {
            return ([:], nil, retryAt, nil)
        }
        let setUp = await volumes.setUp(
            pod: pod, downward: DownwardAPI(nodeName: configuration.nodeName, nodeIP: configuration.nodeIP, podIP: podIP))
        let refreshAt = await volumes.tokens.nextRefresh(podUID: pod.metadata.uid ?? "")
        guard !setUp.failures.isEmpty else { return (setUp.paths, nil, retryAt, refreshAt) }
        for failure in setUp.failures {
            logger.warning("\(failure)")
            events.record(PodEvent(pod: pod, kind: .warning, reason: "FailedMount", message: failure.description))
        }
        let names = setUp.failures.map(\.volume).joined(separator: " ")
        let message = "unmounted volumes=[\(names)]: \(setUp.failures[0].description)"
        return (setUp.paths, PodActions.Waiting(reason: "ContainerCreating", message: message), retryAt, refreshAt)
    }

    /// Removes every container of a pod that is gone (after it stopped).
    public func removeAll(uid: String) async throws(DockerError) {
        let observed = try await observe(uid: uid)
        for container in observed.containers {
            do {
                try await engine.removeContainer(id: container.id)
            } catch where !error.isNotFound {
                logger.warning("cannot remove container \(container.id.prefix(12)) of pod \(uid): \(error)")
            }
        }
        // The observe above cached the containers again after the pod's last sync forgot them:
        // forget them for good, or every deleted pod leaves its inspects behind (the soak).
        for id in inspectedByPod.removeValue(forKey: uid) ?? [] { forgetInspection(id) }
        // A UID from a container label is not trusted to be one path component.
        guard Pod.isSafeUID(uid) else {
            logger.error("not removing the volumes of pod UID \"\(uid)\": not a safe directory name")
            return
        }
        let volumes = "\(configuration.stateDirectory)/pods/\(uid)"
        // A memory emptyDir's tmpfs first: removing through it would only empty it.
        MemoryEmptyDir.unmountAll(under: "\(volumes)/volumes/kubernetes.io~empty-dir")
        try? FileManager.default.removeItem(atPath: volumes)
    }

    /// Forgets what an inspect of this container said, so the next sync inspects it again (the
    /// engine reported a change: its list may not show it yet).
    public func invalidate(containerID: String) { inspected[containerID] = nil }

    /// Drops what the syncer kept of a container that is gone: its inspection and sightings.
    private func forgetInspection(_ id: String) {
        inspected[id] = nil
        sightings[id] = nil
    }

    /// Records an event about a pod (probe results reach the recorder through here).
    public func record(_ event: PodEvent) { events.record(event) }

    /// The node's DNS settings, for ``writeResolvConf(pod:sandbox:logger:)``.
    var dnsSettings: ClusterDNS { configuration.dns }

    // MARK: Steps

    private func createSandbox(pod: Pod, attempt: Int, logger: Logger) async throws -> (String, String?) {
        // A hostNetwork pod does not wait for the pod network (as kubelet runs them before CNI).
        let hostNetwork = pod.spec.hostNetwork == true
        let network = hostNetwork ? SandboxNetwork.host : try await ensurePodNetwork()
        try await infraImage.ensure(configuration.infraImage)
        let (name, config) = try builder.infraContainer(pod: pod, attempt: attempt, network: network)
        let id = try await createReplacingConflict(name: name, config: config, logger: logger)
        try await engine.startContainer(id: id)
        let inspect = try await engine.inspectContainer(id: id)
        try writeResolvConf(pod: pod, sandbox: inspect, logger: logger)
        let podIP = hostNetwork ? configuration.nodeIP : inspect.ipAddress(onNetwork: network.name)
        logger.info(
            "started infra container",
            metadata: ["container.id": "\(id.prefix(12))", "pod.ip": "\(podIP ?? "")", "pod.network": "\(network.name)"])
        return (id, podIP)
    }

    /// Pulls if needed, creates and starts one container.
    /// - Returns: nil when it runs; otherwise why it waits and when to try again.
    private func startContainer(
        _ start: PodActions.Start, pod: Pod, sandboxID: String, podIP: String?, services: [Service], apiVolumes: [String: String],
        logger: Logger
    ) async -> StartFailure? {
        let spec = pod.spec.containers[start.index]
        let containerLogger = logger.with(container: spec.name)
        // The restart happens now: as kubelet's doBackOff, the back-off steps before the image,
        // the configuration or the engine get a say.
        if let key = start.backOffKey, let failedAt = start.failedAt {
            crashBackOff.next(key, eventTime: failedAt, now: now())
        }
        // What the API server would have refused in this container (a probe naming a port the
        // container does not declare, a negative period, an empty command) stops it here.
        let problems = pod.validationErrors().filter { $0.field.hasPrefix("spec.containers[\(start.index)].") }
        if !problems.isEmpty {
            let message = describe(problems, pod: pod)
            containerLogger.error("invalid container: \(message)")
            events.record(PodEvent(pod: pod, container: spec.name, kind: .warning, reason: "Failed", message: "Error: \(message)"))
            return StartFailure(.invalidConfiguration, message: message, now: now())
        }
        let (envObjects, envProblems) = await volumes.fetch(ContainerConfigBuilder.envReferences(of: spec), pod: pod)
        if let problem = envProblems.first {
            containerLogger.error("cannot read the environment's objects: \(problem)")
            events.record(PodEvent(pod: pod, container: spec.name, kind: .warning, reason: "Failed", message: "Error: \(problem)"))
            return StartFailure(.invalidConfiguration, message: problem, now: now())
        }
        for skipped in ContainerConfigBuilder.skippedEnvFromKeys(of: spec, namespace: pod.metadata.namespace ?? "default", objects: envObjects) {
            events.record(PodEvent(pod: pod, container: spec.name, kind: .warning, reason: "InvalidEnvironmentVariableNames", message: skipped))
        }
        let built: (name: String, config: ContainerCreateConfig)
        do {
            built = try builder.appContainer(
                pod: pod, index: start.index, restartCount: start.restartCount, sandboxID: sandboxID,
                serviceEnvironment: ServiceEnvironment.variables(for: services, namespace: pod.metadata.namespace ?? "default"),
                volumeHostPaths: try volumeHostPaths(pod, apiVolumes: apiVolumes), podIP: podIP,
                readOnlyVolumes: Set(apiVolumes.keys), objects: envObjects)
        } catch {
            containerLogger.error("cannot configure container: \(error)")
            events.record(PodEvent(pod: pod, container: spec.name, kind: .warning, reason: "Failed", message: "Error: \(error)"))
            return StartFailure(.invalidConfiguration, message: "\(error)", now: now())
        }
        if let pullWait = await ensureImage(spec: spec, pod: pod, logger: containerLogger) { return pullWait }
        if let refusal = await verifyRunAsNonRoot(spec: spec, index: start.index, pod: pod) {
            containerLogger.error("cannot run container: \(refusal)")
            events.record(PodEvent(pod: pod, container: spec.name, kind: .warning, reason: "Failed", message: "Error: \(refusal)"))
            return StartFailure(.invalidConfiguration, message: refusal, now: now())
        }

        let id: String
        do {
            id = try await createReplacingConflict(name: built.name, config: built.config, logger: containerLogger)
        } catch {
            containerLogger.error("cannot create container: \(error)")
            events.record(PodEvent(pod: pod, container: spec.name, kind: .warning, reason: "Failed", message: "Error: \(error.message)"))
            return StartFailure(.creation, message: error.message, now: now())
        }
        events.record(PodEvent(pod: pod, container: spec.name, reason: "Created", message: "Created container \(spec.name)"))
        do {
            try await engine.startContainer(id: id)
        } catch {
            containerLogger.error("cannot start container: \(error)")
            events.record(PodEvent(pod: pod, container: spec.name, kind: .warning, reason: "Failed", message: "Error: \(error.message)"))
            // The engine keeps the container as created-with-error; the next sync sees it as
            // exited and backs off before the next attempt.
            let key = PodActionPlanner.backOffKey(podUID: pod.metadata.uid ?? "", container: spec)
            if crashBackOff.entry(key) == nil { crashBackOff.next(key, eventTime: now(), now: now()) }
            return StartFailure(.start, message: error.message, now: now())
        }
        events.record(PodEvent(pod: pod, container: spec.name, reason: "Started", message: "Started container \(spec.name)"))
        containerLogger.info("started container", metadata: ["container.id": "\(id.prefix(12))", "container.restartCount": "\(start.restartCount)"])
        if let hook = spec.lifecycle?.postStart {
            return await runPostStart(hook, index: start.index, pod: pod, containerID: id, podIP: podIP, logger: containerLogger)
        }
        return nil
    }

    /// Runs the postStart hook; the container counts as running only once it succeeded. A
    /// failing hook kills the container (it restarts per restartPolicy, after back-off).
    private func runPostStart(
        _ hook: LifecycleHandler, index: Int, pod: Pod, containerID: String, podIP: String?, logger: Logger
    ) async -> StartFailure? {
        let grace = Int(gracePeriod(pod: pod, container: nil))
        guard let message = await hooks.postStart(hook, index: index, pod: pod, containerID: containerID, podIP: podIP, timeout: .seconds(grace))
        else { return nil }
        logger.warning("\(message)")
        do {
            try await engine.stopContainer(id: containerID, timeoutSeconds: grace)
        } catch {
            logger.warning("cannot stop container after its postStart hook failed: \(error)")
        }
        return StartFailure(.postStartHook, message: message, now: now())
    }

    /// kubelet's `verifyRunAsNonRoot`: with runAsNonRoot and no runAsUser, the image's user
    /// must be numeric and not 0 (a name cannot be checked without the image's passwd).
    /// - Returns: why the container may not run, or nil.
    private func verifyRunAsNonRoot(spec: Container, index: Int, pod: Pod) async -> String? {
        let effective = EffectiveSecurity(container: spec.securityContext, pod: pod.spec.securityContext)
        guard effective.runAsNonRoot, effective.runAsUser == nil else { return nil }
        let image = spec.image ?? ""
        let user: String
        do {
            user = try await engine.inspectImage(name: image)?.config?.user ?? ""
        } catch {
            return "cannot inspect image \"\(image)\" to verify runAsNonRoot: \(error)"
        }
        let field = "spec.containers[\(index)].securityContext.runAsNonRoot"
        let uid = user.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        if uid.isEmpty || uid == "root" { return "\(field): container has runAsNonRoot and image will run as root" }
        guard let number = Int64(uid) else {
            return "\(field): container has runAsNonRoot and image has non-numeric user (\(uid)), cannot verify user is non-root"
        }
        if number == 0 { return "\(field): container has runAsNonRoot and image will run as root" }
        return nil
    }

    /// Applies the image pull policy (`ImagePolicy` decides); the pull itself is the
    /// ``ImagePuller``'s, shared with every container of the node that wants the same image.
    /// Returns why the container waits, or nil to go on.
    private func ensureImage(spec: Container, pod: Pod, logger: Logger) async -> StartFailure? {
        let image = spec.image ?? ""
        let present: Bool
        do {
            present = try await engine.inspectImage(name: image) != nil
        } catch {
            return StartFailure(.imageInspection, message: "cannot inspect image \"\(image)\": \(error)", now: now())
        }
        let key = "\(pod.metadata.uid ?? "")/image/\(image)"
        let backOffUntil = pullFailures[key].flatMap { failedAt in
            pullBackOff.isInBackOff(key, since: failedAt, now: now()) ? pullBackOff.retryTime(key, since: failedAt) : nil
        }
        let decision = ImagePolicy.decide(
            image: image, policy: spec.imagePullPolicy, present: present, backOffUntil: backOffUntil,
            outage: await puller.outage(of: image), now: now())
        let result: ImagePuller.Result
        switch decision {
        case .use:
            return nil
        case .wait(let failure, let event):
            if let event { record(event, pod: pod, container: spec.name) }
            return failure
        case .registryDown(let outage):
            result = .unreachable(outage, attempted: false)
        case .pull:
            events.record(PodEvent(pod: pod, container: spec.name, reason: "Pulling", message: "Pulling image \"\(image)\""))
            result = await puller.pull(image)
        }
        switch ImagePolicy.outcome(of: result, image: image, present: present, now: now()) {
        case .use(let event):
            pullFailures[key] = nil
            record(event, pod: pod, container: spec.name)
            return nil
        case .failed(let failure, let event):
            let at = now()
            pullBackOff.next(key, eventTime: at, now: at)
            pullFailures[key] = at
            logger.warning("\(failure.message)")
            record(event, pod: pod, container: spec.name)
            return failure
        }
    }

    private func record(_ event: ImagePolicy.Event, pod: Pod, container: String) {
        events.record(
            PodEvent(pod: pod, container: container, kind: event.warning ? .warning : .normal, reason: event.reason, message: event.message))
    }

    private func createReplacingConflict(name: String, config: ContainerCreateConfig, logger: Logger) async throws(DockerError) -> String {
        do {
            return try await engine.createContainer(name: name, config: config)
        } catch where error.isConflict {
            // A container of ours with this exact name (pod, uid, attempt) is left from an
            // interrupted sync; it never ran as this attempt, so replace it.
            logger.notice("replacing leftover container \(name)")
            try await engine.removeContainer(id: name)
            return try await engine.createContainer(name: name, config: config)
        }
    }

    private func killPod(_ observed: ObservedPod, pod: Pod?, logger: Logger) async {
        let apps = observed.running.filter { !$0.isInfra }
        await withTaskGroup(of: Void.self) { group in
            for container in apps {
                group.addTask { await self.stop(containerID: container.id, name: container.name, reason: "Stopping container", pod: pod, observed: observed, logger: logger) }
            }
        }
        for sandbox in observed.running where sandbox.isInfra {
            await stop(containerID: sandbox.id, name: sandbox.name, reason: "", pod: pod, observed: observed, logger: logger)
        }
    }

    private func stop(containerID: String, name: String, reason: String, pod: Pod?, observed: ObservedPod, logger: Logger) async {
        var grace = gracePeriod(pod: pod, container: observed.containers.first { $0.id == containerID })
        if let pod, !reason.isEmpty {
            events.record(PodEvent(pod: pod, container: name, reason: "Killing", message: "\(reason) \(name)"))
        }
        // preStop runs before the stop signal, inside the grace period.
        if let pod, let index = pod.spec.containers.firstIndex(where: { $0.name == name }),
            let hook = pod.spec.containers[index].lifecycle?.preStop
        {
            let started = ContinuousClock.now
            let podIP = observed.sandboxes.first { $0.isRunning }?.ipAddress
            await hooks.preStop(hook, index: index, pod: pod, containerID: containerID, podIP: podIP, timeout: .seconds(Int(grace)))
            let spent = Int64((ContinuousClock.now - started).components.seconds)
            grace = max(configuration.minimumGracePeriodSeconds, grace - spent)
        }
        do {
            try await engine.stopContainer(id: containerID, timeoutSeconds: Int(grace))
            logger.info("stopped container", metadata: ["container.name": "\(name)", "container.id": "\(containerID.prefix(12))", "grace.seconds": "\(grace)"])
        } catch {
            if !error.isNotFound { logger.warning("cannot stop container \(name) \(containerID.prefix(12)): \(error)") }
        }
    }

    /// deletionGracePeriodSeconds, else the spec's, else what the container was created with,
    /// else 30; never below the floor.
    func gracePeriod(pod: Pod?, container: ObservedContainer?) -> Int64 {
        let grace = pod?.metadata.deletionGracePeriodSeconds ?? pod?.spec.terminationGracePeriodSeconds
            ?? container?.terminationGracePeriodSeconds ?? 30
        return max(configuration.minimumGracePeriodSeconds, grace)
    }

    private func volumeHostPaths(_ pod: Pod, apiVolumes: [String: String]) throws(ContainerConfigError) -> [String: String] {
        var paths: [String: String] = [:]
        let podName = "\(pod.metadata.namespace ?? "default")/\(pod.metadata.name ?? "")"
        guard Pod.isSafeUID(pod.metadata.uid ?? "") else {
            throw ContainerConfigError(pod: podName, container: "", field: "metadata.uid", detail: "not a safe directory name")
        }
        for (index, volume) in (pod.spec.volumes ?? []).enumerated() {
            guard let name = volume.name else { continue }
            if let hostPath = volume.hostPath {
                if let problem = HostPathCheck.check(path: hostPath.path, type: hostPath.type ?? "") {
                    throw ContainerConfigError(pod: podName, container: "", field: "spec.volumes[\(index)].hostPath.type", detail: problem)
                }
                paths[name] = hostPath.path
            } else if let emptyDir = volume.emptyDir {
                let directory = "\(configuration.stateDirectory)/pods/\(pod.metadata.uid ?? "")/volumes/kubernetes.io~empty-dir/\(name)"
                do {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                    switch emptyDir.medium ?? "" {
                    case "": break
                    case "Memory":
                        let size: Int64?
                        do {
                            size = try emptyDir.sizeLimit?.value()
                        } catch {
                            throw ContainerConfigError(
                                pod: podName, container: "", field: "spec.volumes[\(index)].emptyDir.sizeLimit",
                                detail: "Invalid value: \"\(emptyDir.sizeLimit?.text ?? "")\": \(error)")
                        }
                        try MemoryEmptyDir.mount(on: directory, sizeBytes: size.flatMap { $0 > 0 ? $0 : nil })
                    default:
                        throw ContainerConfigError(
                            pod: podName, container: "", field: "spec.volumes[\(index)].emptyDir.medium",
                            detail: "Unsupported value: \"\(emptyDir.medium ?? "")\": supported values: \"\", \"Memory\"")
                    }
                    try EmptyDirOwnership.apply(to: directory, fsGroup: pod.spec.securityContext?.fsGroup)
                } catch let error as ContainerConfigError {
                    throw error
                } catch {
                    throw ContainerConfigError(pod: podName, container: "", field: "spec.volumes[\(index)].emptyDir", detail: "cannot create \(directory): \(error)")
                }
                paths[name] = directory
            } else if VolumePayloadPlanner.kind(of: volume) != nil {
                guard let directory = apiVolumes[name] else {
                    throw ContainerConfigError(pod: podName, container: "", field: "spec.volumes[\(index)]", detail: "volume \(name) is not set up")
                }
                paths[name] = directory
            } else {
                throw ContainerConfigError(
                    pod: podName, container: "", field: "spec.volumes[\(index)]",
                    detail: "only emptyDir, hostPath, secret, configMap, downwardAPI and projected volumes are supported")
            }
        }
        return paths
    }
}

extension Logger {
    func with(pod: Pod?, uid: String) -> Logger {
        var copy = self
        copy[metadataKey: "pod.uid"] = "\(uid)"
        if let pod {
            copy[metadataKey: "pod.name"] = "\(pod.metadata.name ?? "")"
            copy[metadataKey: "pod.namespace"] = "\(pod.metadata.namespace ?? "default")"
        }
        return copy
    }

    /// The name and namespace of a pod known only from its containers' labels.
    func with(observed: ObservedPod) -> Logger {
        guard let container = observed.containers.first(where: { $0.podName != nil }) else { return self }
        var copy = self
        copy[metadataKey: "pod.name"] = "\(container.podName ?? "")"
        copy[metadataKey: "pod.namespace"] = "\(container.podNamespace ?? "default")"
        return copy
    }

    func with(container: String) -> Logger {
        var copy = self
        copy[metadataKey: "container.name"] = "\(container)"
        return copy
    }
}
