import Foundation
import KubeAPI
import Logging
import MasterClient
import PodRuntime
import Synchronization

/// Posts pod events to the master, as kubelet's recorder does: a repeat of the same event
/// (same pod, container, reason and message) raises the count of the one already posted
/// instead of posting another. Also logs every event. What it keeps to count repeats is
/// bounded as client-go's correlator (4,096 events) and dropped when a pod is forgotten.
public final class MasterEventRecorder: EventRecorder {
    private enum Entry: Sendable {
        case event(PodEvent, Date)
        case forget(podUID: String)
    }

    private let queue: AsyncStream<Entry>.Continuation
    private let events: AsyncStream<Entry>
    private let sink: Sink
    private let started = Mutex(false)
    private let log: LoggingEventRecorder

    public init(client: MasterClient, nodeName: String, logger: Logger, isMirrorless: @escaping @Sendable (String) -> Bool) {
        sink = Sink(client: client, nodeName: nodeName, logger: logger, isMirrorless: isMirrorless)
        (events, queue) = AsyncStream.makeStream(of: Entry.self, bufferingPolicy: .bufferingNewest(4096))
        log = LoggingEventRecorder(logger: logger)
    }

    deinit { queue.finish() }

    public func record(_ event: PodEvent) {
        log.record(event)
        startPoster()
        queue.yield(.event(event, Date()))
    }

    /// Queued behind the pod's last events, so those are still counted.
    public func forget(podUID: String) {
        startPoster()
        queue.yield(.forget(podUID: podUID))
    }

    private func startPoster() {
        let first = started.withLock { started in
            defer { started = true }
            return !started
        }
        guard first else { return }
        // One poster, in order: a repeat must find the event it repeats already posted.
        let (events, sink) = (self.events, self.sink)
        Task {
            for await entry in events {
                switch entry {
                case .event(let event, let time): await sink.post(event, at: time)
                case .forget(let podUID): await sink.forget(podUID: podUID)
                }
            }
        }
    }

    /// Events kept to count repeats, for tests.
    var keptEvents: Int { get async { await sink.keptEvents } }

    actor Sink {
        private let client: MasterClient
        private let nodeName: String
        private let logger: Logger
        private let isMirrorless: @Sendable (String) -> Bool
        private var posted: [String: (name: String, namespace: String, count: Int32)] = [:]
        /// Posted events' keys, oldest first, with their pods; forgotten ones stay until they age out.
        private var order: [(key: String, podUID: String)] = []
        private var keysByPod: [String: [String]] = [:]
        private var failures = 0

        var keptEvents: Int { posted.count }

        func forget(podUID: String) {
            for key in keysByPod.removeValue(forKey: podUID) ?? [] { posted[key] = nil }
            if posted.isEmpty { order.removeAll() }
        }

        init(client: MasterClient, nodeName: String, logger: Logger, isMirrorless: @escaping @Sendable (String) -> Bool) {
            self.client = client
            self.nodeName = nodeName
            self.logger = logger
            self.isMirrorless = isMirrorless
        }

        func post(_ event: PodEvent, at time: Date) async {
            guard !isMirrorless(event.podUID) else { return }
            let key = [event.podUID, event.container ?? "", event.kind.rawValue, event.reason, event.message].joined(separator: "\u{0}")
            let stamp = KubeTime.format(time)
            do {
                if let previous = posted[key] {
                    let count = previous.count + 1
                    do {
                        try await client.updateEventCount(namespace: previous.namespace, name: previous.name, count: count, lastTimestamp: stamp)
                        posted[key]?.count = count
                        failures = 0
                        return
                    } catch where error.isNotFound {
                        // The master expired it (events live about an hour): post it anew.
                        posted[key] = nil
                    }
                }
                let nanos = UInt64(time.timeIntervalSince1970 * 1e9)
                let name = "\(event.podName).\(String(nanos, radix: 16))"
                let created = Event(
                    metadata: ObjectMeta(name: name, namespace: event.podNamespace),
                    involvedObject: ObjectReference(
                        kind: "Pod", namespace: event.podNamespace, name: event.podName, uid: event.podUID, apiVersion: "v1",
                        fieldPath: event.container.map { "spec.containers{\($0)}" }),
                    reason: event.reason, message: event.message, source: EventSource(component: "kubelet", host: nodeName),
                    firstTimestamp: stamp, lastTimestamp: stamp, count: 1, type: event.kind.rawValue,
                    reportingComponent: "kubelet", reportingInstance: nodeName)
                _ = try await client.createEvent(created)
                posted[key] = (name, event.podNamespace, 1)
                order.append((key, event.podUID))
                keysByPod[event.podUID, default: []].append(key)
                if order.count > 4096 {
                    let oldest = order.removeFirst()
                    if posted.removeValue(forKey: oldest.key) != nil {
                        keysByPod[oldest.podUID]?.removeAll { $0 == oldest.key }
                        if keysByPod[oldest.podUID]?.isEmpty == true { keysByPod[oldest.podUID] = nil }
                    }
                }
                failures = 0
            } catch {
                failures += 1
                if failures == 1 || failures % 100 == 0 { logger.debug("cannot post event: \(error)") }
            }
        }
    }
}
