import AgentTime
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
///
/// The master's copy of each pod's status, as the pod watch shows it (``observe(masterPods:)``),
/// is kept beside the status the agent wants; when someone else changed it (the node lifecycle
/// controller marking pods NotReady after a partition, a client's PUT), the agent's status is
/// written again (``PodStatusDifference``). That is checked for every pod each `syncPeriod`, and
/// for a pod whose copy changed as soon as it arrives. A copy changed back again after such a
/// write (the node lifecycle controller marks the pods of a node it still believes NotReady
/// until its next check, up to 5 s later) is written again after `retryInterval`, then after
/// twice that, up to `syncPeriod`: a few writes, never a loop, and kubelet's pace (one write
/// per sync period) against a writer that never stops.
///
/// A static pod's status goes to its mirror pod (kubelet's status manager translates the UID):
/// nothing is written for it before the mirror pod shows up in the pod watch.
public actor PodStatusReporter: ServiceLifecycle.Service {
    /// The master's copy of one pod, from the watch or a list.
    private struct MasterCopy {
        var status: PodStatus?
        var resourceVersion: String?
    }

    private struct Rewrite {
        var at: ContinuousClock.Instant
        /// How long a changed copy must wait before it brings another rewrite.
        var delay: Duration
        /// Where the delays after this one come from: doubling to the sync period.
        var backOff: RetryBackOff
    }

    private let client: MasterClient
    private let manager: PodManager
    private let logger: Logger
    private let retryInterval: Duration
    private let syncPeriod: Duration
    /// Pods from the manifest directory: their status goes to their mirror pod.
    private let isStatic: @Sendable (Pod) -> Bool
    /// The latest record of each static pod, by its config.hash, kept until its mirror pod shows up.
    private var staticRecords: [String: PodManager.PodRecord] = [:]
    /// The UID of each static pod's mirror pod, by the static pod's hash (its config.mirror).
    private var mirrorUIDs: [String: String] = [:]

    private var pending: [String: PodManager.PodRecord] = [:]
    private var sent: [String: PodStatus] = [:]
    /// The latest record of each master pod: the status the agent wants the master to hold.
    private var wanted: [String: PodManager.PodRecord] = [:]
    /// The master's copy of each pod's status, by UID; nil until the watch first delivered.
    private var masterCopies: [String: MasterCopy]?
    /// The resourceVersion each pod had after the agent's last write: an older copy from the
    /// watch predates that write and says nothing about it.
    private var writtenVersions: [String: String] = [:]
    /// When a pod's status was last written again because the master's copy differed, and how
    /// long a change of the copy then waits before the next such write; forgotten after two
    /// quiet sync periods.
    private var rewrites: [String: Rewrite] = [:]
    private var deletionsConfirmed: Set<String> = []
    /// `remembered` after the last pruning of pods the agent no longer has: the next pruning
    /// waits until they doubled, so its cost stays proportional.
    private var keptAfterPruning = 0
    private var usePut = false
    private var failures = 0
    private var wake: AsyncStream<Void>.Continuation?

    /// - Parameters:
    ///   - retryInterval: How soon a write that failed is tried again.
    ///   - syncPeriod: How often every pod's status on the master is compared with the agent's
    ///     (kubelet's status manager: 10 s).
    ///   - isStatic: Whether a pod is a static pod, whose status goes to its mirror pod (the
    ///     master's pod with `kubernetes.io/config.mirror` = its hash); none written before the
    ///     mirror pod exists, as kubelet's status manager does.
    public init(
        client: MasterClient, manager: PodManager, logger: Logger, retryInterval: Duration = .seconds(2),
        syncPeriod: Duration = .seconds(10), isStatic: @escaping @Sendable (Pod) -> Bool = MirrorPod.isStatic
    ) {
        self.client = client
        self.manager = manager
        self.logger = logger
        self.retryInterval = retryInterval
        self.syncPeriod = syncPeriod
        self.isStatic = isStatic
    }

    /// Takes the master's copy of the node's pods, as the pod watch (or list) delivers them, and
    /// writes again the status of those whose copy changed away from what the agent wants.
    public func observe(masterPods pods: [Pod]) {
        let previous = masterCopies ?? [:]
        var copies: [String: MasterCopy] = [:]
        var changed: [String] = []
        for pod in pods {
            guard let uid = pod.metadata.uid else { continue }
            copies[uid] = MasterCopy(status: pod.status, resourceVersion: pod.metadata.resourceVersion)
            if previous[uid]?.status != pod.status || previous[uid] == nil { changed.append(uid) }
        }
        masterCopies = copies
        // Mirror pods that appeared (or were made again under a new UID) get their static pod's
        // latest status at once.
        var mirrors: [String: String] = [:]
        for pod in pods where MirrorPod.isMirror(pod) && pod.metadata.deletionTimestamp == nil {
            if let hash = pod.metadata.annotations?[MirrorPod.annotation], let uid = pod.metadata.uid { mirrors[hash] = uid }
        }
        let appeared = mirrors.filter { mirrorUIDs[$0.key] != $0.value }.keys
        mirrorUIDs = mirrors
        for hash in appeared {
            if let record = staticRecords[hash] { enqueue(record) }
        }
        reconcile(changed, periodic: false)
    }

    /// A static pod's record addressed to its mirror pod: the mirror's UID, nothing of the static
    /// pod's own deletion; nil while there is no mirror pod.
    private func translated(_ record: PodManager.PodRecord) -> PodManager.PodRecord? {
        guard let hash = MirrorPod.hash(of: record.pod) else { return nil }
        staticRecords[hash] = record
        guard let uid = mirrorUIDs[hash] else { return nil }
        var record = record
        record.pod.metadata.uid = uid
        record.pod.metadata.deletionTimestamp = nil
        return record
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
                // Copies changed back right after a rewrite wait for their delay to pass.
                self.reconcile(Array(self.rewrites.keys), periodic: false)
                continuation.yield()
            }
        }
        let syncer = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: syncPeriod)
                self.reconcileAll()
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
        syncer.cancel()
    }

    private func enqueue(_ record: PodManager.PodRecord) {
        var record = record
        if isStatic(record.pod) {
            guard let mirrored = translated(record) else { return }
            record = mirrored
        }
        guard let uid = record.pod.metadata.uid else { return }
        pending[uid] = record
        wanted[uid] = record
        wake?.yield()
    }

    private func reconcileAll() {
        guard let masterCopies else { return }
        // Pods the master no longer has need nothing more; pending writes and deletions finish.
        wanted = wanted.filter { masterCopies[$0.key] != nil || pending[$0.key] != nil }
        writtenVersions = writtenVersions.filter { wanted[$0.key] != nil }
        let now = ContinuousClock.now
        rewrites = rewrites.filter { wanted[$0.key] != nil && now - $0.value.at < syncPeriod * 2 }
        reconcile(Array(wanted.keys), periodic: true)
    }

    /// Queues the agent's status again for the pods among `uids` whose master copy differs from
    /// it.
    /// - Parameter periodic: false when a changed copy triggered it: a pod rewritten for that
    ///   reason lately then waits for its delay (or the periodic check).
    private func reconcile(_ uids: [String], periodic: Bool) {
        let now = ContinuousClock.now
        var queued = false
        for uid in uids {
            guard pending[uid] == nil, let record = wanted[uid], let copy = masterCopies?[uid],
                !Self.isOlder(copy.resourceVersion, than: writtenVersions[uid])
            else { continue }
            let differing = PodStatusDifference.fields(master: copy.status, wanted: record.status)
            guard !differing.isEmpty else { continue }
            var last = rewrites[uid]
            // Quiet for two sync periods: whatever changed it back has stopped, start over.
            if let previous = last, now - previous.at >= syncPeriod * 2 { last = nil }
            if !periodic, let last, now - last.at < last.delay { continue }
            logger.notice(
                "the master's copy of the pod status differs from the agent's, writing it again",
                metadata: [
                    "pod.name": "\(record.pod.metadata.name ?? "")", "pod.namespace": "\(record.pod.metadata.namespace ?? "default")",
                    "pod.uid": "\(uid)", "status.fields": "\(differing.joined(separator: ","))",
                ])
            var backOff = last?.backOff ?? RetryBackOff(initial: retryInterval, maximum: syncPeriod)
            rewrites[uid] = Rewrite(at: now, delay: backOff.next(), backOff: backOff)
            sent[uid] = nil
            pending[uid] = record
            queued = true
        }
        if queued { wake?.yield() }
    }

    /// Whether a copy's resourceVersion is older than the one the agent's write produced.
    /// resourceVersions are compared as the integers etcd makes them; any other form is taken
    /// as current (the write then happens at worst once more).
    static func isOlder(_ version: String?, than written: String?) -> Bool {
        guard let version, let written, let copy = Int64(version), let ours = Int64(written) else { return false }
        return copy < ours
    }

    private func flush() async {
        for (uid, record) in pending {
            let pod = record.pod
            let namespace = pod.metadata.namespace ?? "default"
            let name = pod.metadata.name ?? ""
            var done = true
            do {
                if sent[uid] != record.status {
                    let written: Pod
                    if usePut {
                        written = try await client.putPodStatus(namespace: namespace, name: name, uid: uid, status: record.status)
                    } else {
                        do {
                            written = try await client.patchPodStatus(namespace: namespace, name: name, uid: uid, status: record.status)
                        } catch where error.code == 415 || error.code == 405 {
                            logger.notice("master refuses status patches, using PUT with resourceVersion")
                            usePut = true
                            written = try await client.putPodStatus(namespace: namespace, name: name, uid: uid, status: record.status)
                        }
                    }
                    sent[uid] = record.status
                    writtenVersions[uid] = written.metadata.resourceVersion
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
        // Pods the manager forgot need neither: without this, each deleted pod's last status
        // stayed (up to 4096 of them), and the agent's memory grew with every pod (the soak).
        // The same for static pods removed from the manifest directory (each edit of a file
        // is a new static pod, under a new hash).
        if remembered > 2 * keptAfterPruning + 64 {
            let records = await manager.snapshot()
            let live = Set(records.compactMap { $0.pod.metadata.uid })
            let liveStatic = Set(records.compactMap { MirrorPod.hash(of: $0.pod) })
            sent = sent.filter { live.contains($0.key) || pending[$0.key] != nil }
            deletionsConfirmed = deletionsConfirmed.filter { live.contains($0) || pending[$0] != nil }
            staticRecords = staticRecords.filter { liveStatic.contains($0.key) }
            keptAfterPruning = remembered
        }
    }

    /// How many pods the reporter remembers beyond those it is writing.
    private var remembered: Int { sent.count + deletionsConfirmed.count + staticRecords.count }
}
