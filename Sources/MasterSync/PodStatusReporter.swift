import Foundation
import KubeAPI
import Logging
import MasterClient
import PodRuntime
import ServiceLifecycle

/// Writes pod status to the master as it changes (kubelet's status manager): a strategic merge
/// patch of the status subresource, falling back to a PUT with the resourceVersion on masters
/// that refuse the patch. Only the latest status of each pod is kept while the master is
/// unreachable; it is sent when the master is back. Also confirms deletions: a pod with a
/// deletionTimestamp whose containers have all stopped is deleted with grace period 0.
public actor PodStatusReporter: ServiceLifecycle.Service {
    private let client: MasterClient
    private let manager: PodManager
    private let logger: Logger
    private let retryInterval: Duration
    /// Pods from the manifest directory have no object on the master.
    private let isMirrorless: @Sendable (Pod) -> Bool

    private var pending: [String: PodManager.PodRecord] = [:]
    private var sent: [String: PodStatus] = [:]
    private var deletionsConfirmed: Set<String> = []
    private var usePut = false
    private var failures = 0
    private var wake: AsyncStream<Void>.Continuation?

    public init(
        client: MasterClient, manager: PodManager, logger: Logger, retryInterval: Duration = .seconds(2),
        isMirrorless: @escaping @Sendable (Pod) -> Bool
    ) {
        self.client = client
        self.manager = manager
        self.logger = logger
        self.retryInterval = retryInterval
        self.isMirrorless = isMirrorless
    }

    public func run() async throws {
        let (signals, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        wake = continuation
        let updates = await manager.statusUpdates()
        let feeder = Task {
            for await record in updates { await self.enqueue(record) }
        }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: retryInterval)
                continuation.yield()
            }
        }
        await withGracefulShutdownHandler {
            for await _ in signals {
                await flush()
                if Task.isCancelled || Task.isShuttingDownGracefully { break }
            }
        } onGracefulShutdown: {
            continuation.finish()
        }
        feeder.cancel()
        ticker.cancel()
    }

    private func enqueue(_ record: PodManager.PodRecord) {
        guard !isMirrorless(record.pod), let uid = record.pod.metadata.uid else { return }
        pending[uid] = record
        wake?.yield()
    }

    private func flush() async {
        for (uid, record) in pending {
            let pod = record.pod
            let namespace = pod.metadata.namespace ?? "default"
            let name = pod.metadata.name ?? ""
            var done = true
            do {
                if sent[uid] != record.status {
                    if usePut {
                        try await client.putPodStatus(namespace: namespace, name: name, uid: uid, status: record.status)
                    } else {
                        do {
                            try await client.patchPodStatus(namespace: namespace, name: name, uid: uid, status: record.status)
                        } catch where error.code == 415 || error.code == 405 {
                            logger.notice("master refuses status patches, using PUT with resourceVersion")
                            usePut = true
                            try await client.putPodStatus(namespace: namespace, name: name, uid: uid, status: record.status)
                        }
                    }
                    sent[uid] = record.status
                }
            } catch {
                // 404/409/422: the pod is gone or was replaced, its status no longer matters.
                if !(error.isNotFound || error.isConflict || error.code == 422) {
                    done = false
                    failures += 1
                    if failures == 1 || failures % 50 == 0 {
                        logger.warning("cannot write pod status, keeping it for later: \(error)", metadata: ["pod.name": "\(name)"])
                    }
                }
            }
            // A deletion is confirmed whatever became of the status write.
            if pod.metadata.deletionTimestamp != nil, record.observed.running.isEmpty, !deletionsConfirmed.contains(uid) {
                do {
                    try await client.confirmPodDeletion(namespace: namespace, name: name, uid: uid)
                    deletionsConfirmed.insert(uid)
                    logger.info("pod deletion confirmed to the master", metadata: ["pod.name": "\(name)", "pod.namespace": "\(namespace)", "pod.uid": "\(uid)"])
                } catch {
                    if error.isConflict {
                        deletionsConfirmed.insert(uid)  // the pod was replaced under its name
                    } else {
                        done = false
                        logger.warning("cannot confirm pod deletion, retrying: \(error)", metadata: ["pod.name": "\(name)"])
                    }
                }
            }
            guard done else { return }
            // A newer record may have arrived while this one was being written: keep that one.
            if pending[uid]?.status == record.status, pending[uid]?.pod == pod { pending[uid] = nil }
            if failures > 0 { logger.notice("pod status reaches the master again") }
            failures = 0
        }
        if sent.count > pending.count + 4096 {
            let live = Set(await manager.snapshot().compactMap { $0.pod.metadata.uid })
            sent = sent.filter { live.contains($0.key) }
            deletionsConfirmed = deletionsConfirmed.filter { live.contains($0) }
        }
    }
}
