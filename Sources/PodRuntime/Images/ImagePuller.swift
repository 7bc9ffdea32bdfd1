import DockerEngine
import Foundation
import KubeAPI
import Logging

/// Pulls images for every pod of the node, so that a registry that does not answer costs the
/// node one wait, not one per container:
/// - one pull per image reference is in flight at a time; every container that wants the same
///   reference meanwhile waits for that pull and shares its result (the engine would serialise
///   them anyway, each waiting out the registry's time-out again);
/// - a registry host found unreachable is remembered for a window (``RegistryOutages``): until
///   it ends, pulls from that host fail at once with the remembered reason, without asking the
///   engine.
public actor ImagePuller {
    /// How a pull ended.
    public enum Result: Sendable, Hashable {
        case pulled
        /// The registry answered "no" (denied, not found), or the engine failed otherwise.
        case failed(DockerError)
        /// The registry host cannot be reached: `attempted` when this pull found it so, false
        /// when the host was already known to be unreachable and nothing was asked.
        case unreachable(RegistryOutages.Outage, attempted: Bool)
    }

    private let engine: any DockerEngine
    private let logger: Logger
    private let now: @Sendable () -> Date
    private var outages: RegistryOutages
    private var inFlight: [String: (task: Task<Result, Never>, sharers: Int)] = [:]

    /// - Parameters:
    ///   - outages: the windows to keep hosts found unreachable for (empty).
    ///   - now: the time source the windows are measured with.
    public init(
        engine: any DockerEngine, outages: RegistryOutages = RegistryOutages(), logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.engine = engine
        self.outages = outages
        self.logger = logger
        self.now = now
    }

    /// The open outage of the host `reference` is pulled from, if any: a pull now would fail at
    /// once.
    public func outage(of reference: String) -> RegistryOutages.Outage? {
        outages.outage(host: RegistryHost.of(reference: reference), at: now())
    }

    /// Pulls `reference`, or joins the pull of it already in flight, or fails at once when its
    /// registry host is in an outage window.
    public func pull(_ reference: String) async -> Result {
        if let shared = inFlight[reference] {
            inFlight[reference]?.sharers += 1
            return await shared.task.value
        }
        let host = RegistryHost.of(reference: reference)
        if let outage = outages.outage(host: host, at: now()) { return .unreachable(outage, attempted: false) }
        let engine = self.engine
        let task = Task<Result, Never> {
            let result: Result
            do throws(DockerError) {
                try await engine.pullImage(reference: reference)
                result = .pulled
            } catch {
                result = self.classify(error, host: host)
            }
            self.finished(reference, host: host, result: result)
            return result
        }
        inFlight[reference] = (task, 1)
        return await task.value
    }

    /// How many callers wait for the pull of `reference` now (tests use it to know that every
    /// caller joined).
    func sharers(of reference: String) -> Int { inFlight[reference]?.sharers ?? 0 }

    private func classify(_ error: DockerError, host: String) -> Result {
        guard let failure = ImagePullFailure(error) else { return .failed(error) }
        let outage = outages.recordUnreachable(host: host, failure: failure, detail: error.message, at: now())
        logger.warning(
            "registry unreachable, not asked again before \(KubeTime.format(outage.until))",
            metadata: ["registry.host": "\(host)", "registry.failure": "\(failure)", "error": "\(error.message)"])
        return .unreachable(outage, attempted: true)
    }

    private func finished(_ reference: String, host: String, result: Result) {
        inFlight[reference] = nil
        switch result {
        case .pulled, .failed(.http), .failed(.stream):
            // The registry answered (a refusal too): whatever was remembered about it is over.
            if outages.outage(host: host, at: now()) != nil {
                logger.notice("registry reachable again", metadata: ["registry.host": "\(host)"])
            }
            outages.recordReached(host: host)
        case .failed, .unreachable: break
        }
    }
}
