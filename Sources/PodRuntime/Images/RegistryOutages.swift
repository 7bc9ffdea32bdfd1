import Foundation
import KubeAPI

/// Registry hosts found unreachable, each remembered for a window during which nobody asks it
/// again: `initial` after the first failure, twice the last window after each failure that
/// follows (up to `maximum`), forgotten as soon as the host answers.
///
/// A value type: the ``ImagePuller`` keeps one, records what pulls found and asks it before
/// pulling.
public struct RegistryOutages: Sendable, Hashable {
    /// One host that could not be reached.
    public struct Outage: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var failure: ImagePullFailure
        /// What the engine said when the host was last found unreachable.
        public var detail: String
        /// When the host was last found unreachable.
        public var since: Date
        public var window: Duration
        /// The window's end: no pull from this host before then.
        public var until: Date { since.addingTimeInterval(window.seconds) }

        /// Stays the same for the whole window, so that events built from it count as repeats.
        public var description: String {
            "registry \(host) unreachable since \(KubeTime.format(since)): \(failure) (\(detail)); next attempt after \(KubeTime.format(until))"
        }
    }

    public var initial: Duration
    public var maximum: Duration
    private var outages: [String: Outage] = [:]

    public init(initial: Duration = .seconds(60), maximum: Duration = .seconds(600)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The outage of `host` whose window is still open at `now`, if any.
    public func outage(host: String, at now: Date) -> Outage? {
        guard let outage = outages[host], now < outage.until else { return nil }
        return outage
    }

    /// Whether an outage of `host` is remembered, its window open or not.
    public func remembers(host: String) -> Bool { outages[host] != nil }

    /// Remembers that a pull at `time` could not reach `host`.
    /// - Returns: the outage with its new window.
    @discardableResult
    public mutating func recordUnreachable(host: String, failure: ImagePullFailure, detail: String, at time: Date) -> Outage {
        let window = outages[host].map { min($0.window * 2, maximum) } ?? initial
        let outage = Outage(host: host, failure: failure, detail: detail, since: time, window: window)
        outages[host] = outage
        return outage
    }

    /// Forgets whatever was remembered about `host`: it answered.
    public mutating func recordReached(host: String) { outages[host] = nil }
}
