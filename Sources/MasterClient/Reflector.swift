import AgentTime
import CurlHTTP
import Foundation
import KubeAPI
import Logging

/// Keeps a local copy of a set of objects in step with the master, as client-go's reflector
/// does: list, then watch from the list's resourceVersion (with bookmarks); a watch that ends
/// is resumed from the last version seen, a 410 Gone ("too old resource version") relists, and
/// failures back off with jitter. After every change the whole set is delivered, with what
/// changed since the last delivery (`ObjectDelta`; nil after a list, which may differ anywhere).
///
/// With `pollInterval` set, it lists at that interval and never watches (for masters where
/// watches are not wanted).
public struct Reflector<Resource: KubeResource>: Sendable {
    private let client: MasterClient
    private let path: String
    private let fieldSelector: String?
    private let pollInterval: Duration?
    private let logger: Logger
    private let deliver: @Sendable ([Resource], ObjectDelta<Resource>?) async -> Void

    /// - Parameters:
    ///   - path: the collection, e.g. `/api/v1/pods`.
    ///   - fieldSelector: e.g. `spec.nodeName=node-1`.
    ///   - deliver: called with the whole set after every change.
    public init(
        client: MasterClient, path: String, fieldSelector: String? = nil, pollInterval: Duration? = nil, logger: Logger,
        deliver: @escaping @Sendable ([Resource]) async -> Void
    ) {
        self.init(
            client: client, path: path, fieldSelector: fieldSelector, pollInterval: pollInterval, logger: logger,
            deliverWithDelta: { all, _ in await deliver(all) })
    }

    /// - Parameter deliverWithDelta: called with the whole set after every change, and what
    ///   changed since the previous call; the delta is nil after a list (the first, a relist
    ///   after 410 Gone, every poll), when the set may differ anywhere.
    public init(
        client: MasterClient, path: String, fieldSelector: String? = nil, pollInterval: Duration? = nil, logger: Logger,
        deliverWithDelta deliver: @escaping @Sendable (_ all: [Resource], _ delta: ObjectDelta<Resource>?) async -> Void
    ) {
        self.client = client
        self.path = path
        self.fieldSelector = fieldSelector
        self.pollInterval = pollInterval
        var logger = logger
        logger[metadataKey: "watch.path"] = "\(path)"
        self.logger = logger
        self.deliver = deliver
    }

    /// Runs until the task is cancelled.
    public func run() async {
        var store = ObjectStore<Resource>()
        var resourceVersion: String?
        var failures = 0
        var backOff = RetryBackOff(initial: .milliseconds(500), maximum: .seconds(30), jitter: 0.8...1.2)
        while !Task.isCancelled {
            if resourceVersion == nil {
                do {
                    var items: [(String, String)] = []
                    if let fieldSelector { items.append(("fieldSelector", fieldSelector)) }
                    let list = try await client.get(ObjectList<Resource>.self, path + MasterClient.query(items))
                    store = ObjectStore(list.items, key: \.storeKey)
                    resourceVersion = list.metadata?.resourceVersion ?? ""
                    if failures > 0 { logger.notice("master reachable again, listed \(store.count) objects") }
                    failures = 0
                    backOff.reset()
                    await deliver(store.items, nil)
                } catch {
                    if Task.isCancelled { return }
                    failures += 1
                    if failures == 1 || failures % 20 == 0 { logger.warning("cannot list from the master, retrying: \(error)") }
                    await wait(backOff.next())
                    continue
                }
            }
            if let pollInterval {
                try? await Task.sleep(for: pollInterval)
                resourceVersion = nil
                continue
            }

            var items: [(String, String)] = [("watch", "true"), ("resourceVersion", resourceVersion ?? ""), ("allowWatchBookmarks", "true")]
            if let fieldSelector { items.append(("fieldSelector", fieldSelector)) }
            // A bounded watch, renewed from the last version seen, as client-go does (5-10 min).
            items.append(("timeoutSeconds", String(Int.random(in: 300...600))))
            // A line longer than the limit fails the watch (LineTooLong, logged below) and the
            // watch resumes from the last version seen.
            var splitter = LineSplitter(maxLineBytes: client.configuration.maxWatchLineBytes, stream: "watch \(path)")
            var relist = false
            var changed = false
            var lines = 0
            do {
                stream: for try await chunk in client.watchStream(path + MasterClient.query(items)) {
                    for line in try splitter.append(chunk) {
                        lines += 1
                        switch try Self.apply(line, to: &store, label: "watch \(path)") {
                        case let .version(version):
                            if let version { resourceVersion = version }
                        case let .changed(version):
                            if let version { resourceVersion = version }
                            changed = true
                        case .gone:
                            relist = true
                            break stream
                        }
                    }
                    failures = 0
                    backOff.reset()
                    if changed {
                        changed = false
                        await deliver(store.items, store.takeDelta())
                    }
                }
                if relist {
                    logger.info("watch too old (410 Gone), listing again")
                    resourceVersion = nil
                } else if lines == 0 {
                    // A watch that closes at once, again and again, must not spin.
                    failures += 1
                    await wait(backOff.next())
                }
            } catch {
                if Task.isCancelled { return }
                // What was applied before the failure is delivered: the watch resumes after it.
                if changed { await deliver(store.items, store.takeDelta()) }
                failures += 1
                logger.warning("watch broke, resuming from resourceVersion \(resourceVersion ?? ""): \(error)")
                await wait(backOff.next())
            }
        }
    }

    /// Waits `pause` before the next attempt (0.5 s doubling to 30 s with jitter). Any request
    /// of the agent that reaches the master again after failures (the node's heartbeat, every
    /// few seconds) ends the wait early: after a partition the watch resumes at once, so that
    /// the changes made meanwhile (pods marked NotReady) are seen within a heartbeat, not after
    /// up to 30 s.
    private func wait(_ pause: Duration) async {
        let deadline = ContinuousClock.now + pause
        let recoveries = client.recoveries
        while !Task.isCancelled, ContinuousClock.now < deadline {
            try? await Task.sleep(for: min(.milliseconds(250), deadline - ContinuousClock.now))
            if client.recoveries != recoveries { return }
        }
    }
}
