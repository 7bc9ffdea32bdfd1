import Foundation
import KubeAPI
import Logging
import MasterClient
import ServiceLifecycle

/// Keeps a mirror pod on the master for every static pod (kubelet's mirror client, driven from
/// SyncPod and HandlePodCleanups): creates missing ones, deletes and re-creates those being
/// deleted or made from an older manifest, and deletes those whose static pod is gone. Runs a
/// round whenever the static pods or the master's pods change, and every `resyncInterval`.
/// Nothing is done before both the manifest directory and the pod watch have delivered.
public actor MirrorPodSyncer: ServiceLifecycle.Service {
    private let client: MasterClient
    private let nodeName: String
    private let logger: Logger
    private let resyncInterval: Duration
    private var staticPods: [Pod]?
    private var mirrorPods: [Pod]?
    private var wake: AsyncStream<Void>.Continuation?
    private var lastNodeProblem: String?
    private var retry: Task<Void, Never>?
    private let nodeRetryInterval: Duration

    /// - Parameters:
    ///   - resyncInterval: How often every mirror pod is checked (kubelet's sync period).
    ///   - nodeRetryInterval: How soon a round that could not read the Node is tried again.
    public init(
        client: MasterClient, nodeName: String, logger: Logger, resyncInterval: Duration = .seconds(10),
        nodeRetryInterval: Duration = .seconds(1)
    ) {
        self.nodeRetryInterval = nodeRetryInterval
        self.client = client
        self.nodeName = nodeName
        self.logger = logger
        self.resyncInterval = resyncInterval
    }

    /// The node's static pods, as the manifest directory gives them.
    public func update(staticPods pods: [Pod]) {
        staticPods = pods.filter(MirrorPod.isStatic)
        wake?.yield()
    }

    /// The master's pods bound to this node, from the pod watch; the mirror pods among them are
    /// kept.
    public func observe(masterPods pods: [Pod]) {
        let mirrors = pods.filter(MirrorPod.isMirror)
        guard mirrors != mirrorPods else { return }
        mirrorPods = mirrors
        wake?.yield()
    }

    public func run() async throws {
        let (signals, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        wake = continuation
        continuation.yield()
        let ticker = Task { [resyncInterval] in
            while !Task.isCancelled {
                try? await Task.sleep(for: resyncInterval)
                continuation.yield()
            }
        }
        await withGracefulShutdownHandler {
            for await _ in signals {
                if Task.isCancelled || Task.isShuttingDownGracefully { break }
                await syncOnce()
            }
        } onGracefulShutdown: {
            continuation.finish()
        }
        ticker.cancel()
    }

    /// One round: plans against what the manifest directory and the pod watch last said, and
    /// carries the plan out. Failures are logged and retried in the next round.
    public func syncOnce() async {
        guard let staticPods, let mirrorPods else { return }
        var actions = MirrorPodPlanner.plan(staticPods: staticPods, mirrorPods: mirrorPods, nodeName: nodeName, nodeUID: "")
        if actions.contains(where: { if case .create = $0 { true } else { false } }) {
            let uid = await nodeUID()
            actions = MirrorPodPlanner.plan(staticPods: staticPods, mirrorPods: mirrorPods, nodeName: nodeName, nodeUID: uid)
            // The node is usually registered within a second of the start: look again soon
            // rather than at the next resync.
            if uid == nil { scheduleRetry() }
        }
        for action in actions {
            switch action {
            case let .delete(namespace, name, uid, reason):
                await delete(namespace: namespace, name: name, uid: uid, reason: reason)
            case let .create(mirror):
                await create(mirror)
            }
        }
    }

    private func scheduleRetry() {
        guard retry == nil else { return }
        retry = Task { [nodeRetryInterval] in
            try? await Task.sleep(for: nodeRetryInterval)
            self.retried()
        }
    }

    private func retried() {
        retry = nil
        wake?.yield()
    }

    /// The Node's UID; nil (logged once per problem) while it cannot be read or is being deleted.
    private func nodeUID() async -> String? {
        let problem: String
        do {
            let node = try await client.get(Node.self, "/api/v1/nodes/\(nodeName)")
            if node.metadata.deletionTimestamp == nil, let uid = node.metadata.uid {
                lastNodeProblem = nil
                return uid
            }
            problem = "the node is being deleted"
        } catch {
            problem = "\(error)"
        }
        if problem != lastNodeProblem {
            logger.warning("mirror pods wait: the node cannot be read: \(problem)", metadata: ["node.name": "\(nodeName)"])
            lastNodeProblem = problem
        }
        return nil
    }

    private func create(_ mirror: Pod) async {
        let namespace = mirror.metadata.namespace ?? "default"
        let name = mirror.metadata.name ?? ""
        let hash = mirror.metadata.annotations?[MirrorPod.annotation]
        let metadata: Logger.Metadata = ["pod.name": "\(name)", "pod.namespace": "\(namespace)", "pod.hash": "\(hash ?? "")"]
        do {
            let created = try await client.send("POST", "/api/v1/namespaces/\(namespace)/pods", mirror, as: Pod.self)
            logger.info("mirror pod created", metadata: metadata.merging(["pod.uid": "\(created.metadata.uid ?? "")"]) { $1 })
        } catch where error.isConflict {
            // Already there: fine when it mirrors this very manifest (kubelet's check).
            let existing = try? await client.get(Pod.self, "/api/v1/namespaces/\(namespace)/pods/\(name)")
            if let existing, existing.metadata.annotations?[MirrorPod.annotation] == hash { return }
            logger.warning("cannot create mirror pod: another pod has its name", metadata: metadata)
        } catch {
            logger.warning("cannot create mirror pod, retrying: \(error)", metadata: metadata)
        }
    }

    private func delete(namespace: String, name: String, uid: String, reason: MirrorPodAction.Reason) async {
        let metadata: Logger.Metadata = ["pod.name": "\(name)", "pod.namespace": "\(namespace)", "pod.uid": "\(uid)"]
        do {
            // Grace period 0 and the UID as precondition; 404 (gone) is fine.
            try await client.confirmPodDeletion(namespace: namespace, name: name, uid: uid)
            logger.info("mirror pod deleted: \(reason.rawValue)", metadata: metadata)
        } catch where error.isConflict {
            // Replaced under its name meanwhile: the next round looks at the new one.
        } catch {
            logger.warning("cannot delete mirror pod (\(reason.rawValue)), retrying: \(error)", metadata: metadata)
        }
    }
}
