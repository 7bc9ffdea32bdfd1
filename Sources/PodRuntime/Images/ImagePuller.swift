import DockerEngine
import Foundation
import KubeAPI
import Logging

/// Pulls images for every pod of the node, so that a registry that does not answer costs the
/// node one wait, not one per container:
/// - one pull per image reference is in flight at a time; every container that wants the same
///   reference meanwhile waits for that pull and shares its result (the engine would serialise
///   them anyway, each waiting out the registry's time-out again);
/// - before the first pull from a host, and after an outage of it, one cheap question to the
///   registry (the engine's distribution inspect: the manifest, no layers) tells whether it
///   answers; pulls of other images from that host wait for that answer instead of asking in
///   parallel (dockerd 20.10 answers parallel lookups that time out one after another, 10 s
///   apart, so three images would fail after 20, 30 and 40 s). Once the host answered, pulls
///   run side by side;
/// - a registry host found unreachable is remembered for a window (``RegistryOutages``): until
///   it ends, pulls from that host fail at once with the remembered reason, without asking the
///   engine.
public actor ImagePuller {
    /// How a pull ended.
    public enum Result: Sendable, Hashable {
        case pulled
        /// The registry answered "no" (denied, not found), or the engine failed otherwise.
        case failed(DockerError)
        /// The registry host cannot be reached: found now (`attempted`) or remembered from an
        /// earlier pull (nothing was asked).
        case unreachable(RegistryOutages.Outage, attempted: Bool)
    }

    private let engine: any DockerEngine
    private let logger: Logger
    private let now: @Sendable () -> Date
    private var outages: RegistryOutages
    /// Hosts that answered since their last outage: pulled from without asking first.
    private var answering: Set<String> = []
    private var inFlight: [String: (task: Task<Result, Never>, sharers: Int)] = [:]
    /// The question in flight to each host of unknown state, and how many pulls wait for it.
    private var probes: [String: (task: Task<Void, Never>, waiting: Int)] = [:]

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
        let host = RegistryHost.of(reference: reference)
        var asked = false
        while true {
            if let shared = inFlight[reference] {
                inFlight[reference]?.sharers += 1
                return await shared.task.value
            }
            if let outage = outages.outage(host: host, at: now()) { return .unreachable(outage, attempted: asked) }
            // A question that had no verdict (the engine itself failed) does not hold the pull.
            if answering.contains(host) || asked { break }
            // Ask the host first (or wait for the question in flight), then look again: the
            // answer may be an outage, or another caller may have started this very pull.
            await probe(host, reference: reference)
            asked = true
        }
        let engine = self.engine
        let task = Task<Result, Never> {
            let result: Result
            do throws(DockerError) {
                try await engine.pullImage(reference: reference)
                result = .pulled
            } catch {
                result = self.classify(error, host: host)
            }
            self.inFlight[reference] = nil
            return result
        }
        inFlight[reference] = (task, 1)
        return await task.value
    }

    /// How many callers wait for the pull of `reference` now (tests use it to know that every
    /// caller joined).
    func sharers(of reference: String) -> Int { inFlight[reference]?.sharers ?? 0 }

    /// How many pulls wait for the question to `host` now.
    func waitingForProbe(of host: String) -> Int { probes[host]?.waiting ?? 0 }

    /// Asks the registry of `reference` whether it answers, or waits for the question already
    /// in flight to `host`.
    private func probe(_ host: String, reference: String) async {
        if let running = probes[host] {
            probes[host]?.waiting += 1
            return await running.task.value
        }
        let engine = self.engine
        let task = Task<Void, Never> {
            do throws(DockerError) {
                try await engine.inspectDistribution(reference: reference)
                self.answered(host)
            } catch {
                _ = self.classify(error, host: host)
            }
            self.probes[host] = nil
        }
        probes[host] = (task, 1)
        await task.value
    }

    /// Records what a failed call says about the registry.
    private func classify(_ error: DockerError, host: String) -> Result {
        guard let failure = ImagePullFailure(error) else {
            // Any answer of the registry, a refusal too, shows that it is reachable; a failure
            // to reach the engine says nothing about it.
            if case .transport = error {} else { answered(host) }
            return .failed(error)
        }
        answering.remove(host)
        if let open = outages.outage(host: host, at: now()) {
            // A call that began before the outage was found: the same outage, not a new one.
            return .unreachable(open, attempted: true)
        }
        let outage = outages.recordUnreachable(host: host, failure: failure, detail: error.message, at: now())
        logger.warning(
            "registry unreachable, not asked again before \(KubeTime.format(outage.until))",
            metadata: ["registry.host": "\(host)", "registry.failure": "\(failure)", "error": "\(error.message)"])
        return .unreachable(outage, attempted: true)
    }

    private func answered(_ host: String) {
        if outages.remembers(host: host) {
            logger.notice("registry answers again", metadata: ["registry.host": "\(host)"])
        }
        outages.recordReached(host: host)
        answering.insert(host)
    }
}
