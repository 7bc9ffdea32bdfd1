import DockerEngine
import Foundation
import KubeAPI
import Synchronization

@testable import PodRuntime

/// An in-memory Docker engine that records what it is asked to do. Containers get IDs on
/// create; start makes them run (infra containers also get an address); stop and kill make them
/// exit; inspect and list-by-label read them back. Images are present or absent as the test
/// says, and pulls fail with the message the test gives, as a node cut off from its registry.
final class FakeDockerEngine: DockerEngine {
    /// The calls that change something or concern images, in order. Reads of containers
    /// (inspect, list) happen on every sync and are left out so that sequences stay readable.
    enum Call: Sendable, Hashable {
        case createContainer(name: String)
        case startContainer(id: String)
        case stopContainer(id: String, timeoutSeconds: Int)
        case killContainer(id: String, signal: String)
        case removeContainer(id: String)
        case inspectImage(String)
        case pullImage(String)
        case inspectDistribution(String)
        case importImage(String)
        case createNetwork(name: String, subnet: String)
        case removeNetwork(id: String)
        case disconnectNetwork(id: String, containerID: String)
    }

    struct StoredContainer: Sendable {
        var id: String
        var name: String
        var config: ContainerCreateConfig
        var created: Date
        /// created, running or exited, as Docker's State.Status.
        var status = "created"
        var exitCode = 0
        var startedAt: Date?
        var finishedAt: Date?
        var ipAddress: String?
        /// The network it is attached to, when not Docker's default bridge.
        var network: String?

        var isInfra: Bool { config.labels[ContainerLabels.dockerType] == ContainerLabels.sandboxType }
    }

    private struct State {
        var containers: [String: StoredContainer] = [:]
        var images: Set<String>
        var pullError: String?
        /// Pulls wait here until released, while `holdingPulls`; distribution inspects likewise.
        var holdingPulls = false
        var heldPulls: [CheckedContinuation<Void, Never>] = []
        var holdingProbes = false
        var heldProbes: [CheckedContinuation<Void, Never>] = []
        var calls: [Call] = []
        var sequence = 0
        var networks: [String: NetworkInspect] = [:]
        /// The `USER` of images that have one.
        var imageUsers: [String: String] = [:]
        /// What the next event streams fail with, in order; once empty, streams end at once.
        var eventStreamFailures: [any Error] = []
        var eventStreamsOpened = 0
    }

    private let clock: TestClock
    private let state: Mutex<State>

    /// - Parameters:
    ///   - images: references present in the engine.
    ///   - pullError: what every pull fails with; nil makes pulls succeed.
    init(clock: TestClock, images: Set<String> = [], pullError: String? = nil) {
        self.clock = clock
        self.state = Mutex(State(images: images, pullError: pullError))
    }

    /// Gives an image a `USER`, as its inspect reports it.
    func setUser(_ user: String, ofImage image: String) { state.withLock { $0.imageUsers[image] = user } }

    /// The message Docker 20.10 gives when the registry's name does not resolve.
    static let unreachableRegistry =
        "Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io on 127.0.0.53:53: no such host"

    /// The message Docker 20.10 gives when its DNS server never answers (after 20 s).
    static let registryLookupTimedOut =
        "Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io on 10.53.53.53:53: read udp 10.53.53.53:37850->10.53.53.53:53: i/o timeout"

    // MARK: What tests read and arrange

    var calls: [Call] { state.withLock { $0.calls } }

    func container(_ id: String) -> StoredContainer? { state.withLock { $0.containers[id] } }

    func container(named name: String) -> StoredContainer? {
        state.withLock { $0.containers.values.first { $0.name == name } }
    }

    /// How many pulls of `reference` were asked for (all references when nil).
    func pullCount(_ reference: String? = nil) -> Int {
        calls.filter { if case .pullImage(let pulled) = $0 { reference == nil || pulled == reference } else { false } }.count
    }

    /// Makes every pull from now on fail with `message`, or succeed when nil.
    func setPullError(_ message: String?) { state.withLock { $0.pullError = message } }

    /// How many distribution inspects (registry questions without a pull) were asked for.
    func probeCount() -> Int {
        calls.filter { if case .inspectDistribution = $0 { true } else { false } }.count
    }

    /// Pulls and distribution inspects: every time the registry was asked.
    func registryCalls() -> Int { pullCount() + probeCount() }

    /// Makes pulls wait, as one waiting out a registry's time-out, until ``releasePulls()``.
    func holdPulls() { state.withLock { $0.holdingPulls = true } }

    /// Lets every held pull finish, and pulls from now on go through at once.
    func releasePulls() {
        let held = state.withLock { state in
            state.holdingPulls = false
            defer { state.heldPulls = [] }
            return state.heldPulls
        }
        for pull in held { pull.resume() }
    }

    /// Pulls waiting for ``releasePulls()``.
    var heldPullCount: Int { state.withLock { $0.heldPulls.count } }

    /// Makes distribution inspects wait until ``releaseProbes()``.
    func holdProbes() { state.withLock { $0.holdingProbes = true } }

    func releaseProbes() {
        let held = state.withLock { state in
            state.holdingProbes = false
            defer { state.heldProbes = [] }
            return state.heldProbes
        }
        for probe in held { probe.resume() }
    }

    /// Distribution inspects waiting for ``releaseProbes()``.
    var heldProbeCount: Int { state.withLock { $0.heldProbes.count } }

    /// Networks the engine holds, by ID.
    var networks: [NetworkInspect] { state.withLock { Array($0.networks.values) } }

    /// Puts a network in the engine as another run (or an operator) left it.
    func addNetwork(_ network: NetworkInspect) { state.withLock { $0.networks[network.id] = network } }

    /// Makes a running container exit, as if its process ended, at the engine's clock or at
    /// `finishedAt` (an engine whose wall clock is off the agent's).
    func exit(_ id: String, code: Int, finishedAt: Date? = nil) {
        let now = finishedAt ?? clock.now
        state.withLock {
            $0.containers[id]?.status = "exited"
            $0.containers[id]?.exitCode = code
            $0.containers[id]?.finishedAt = now
        }
    }

    // MARK: DockerEngine

    func version() async throws(DockerError) -> DockerVersion {
        DockerVersion(version: "20.10.24", apiVersion: "1.41")
    }

    func createContainer(name: String, config: ContainerCreateConfig) async throws(DockerError) -> String {
        let now = clock.now
        let result: Result<String, DockerError> = state.withLock { state in
            state.calls.append(.createContainer(name: name))
            if state.containers.values.contains(where: { $0.name == name }) {
                return .failure(.http(
                    operation: "create container", status: 409,
                    message: "Conflict. The container name \"/\(name)\" is already in use"))
            }
            guard state.images.contains(config.image) else {
                return .failure(.http(operation: "create container", status: 404, message: "No such image: \(config.image)"))
            }
            state.sequence += 1
            let id = String(format: "fake%060x", state.sequence)
            // Each container is a millisecond younger than the previous one, so that "newest
            // first" is well defined while the test clock stands still.
            let created = now.addingTimeInterval(Double(state.sequence) / 1000)
            state.containers[id] = StoredContainer(id: id, name: name, config: config, created: created)
            return .success(id)
        }
        return try result.get()
    }

    func startContainer(id: String) async throws(DockerError) {
        let now = clock.now
        let result: Result<Void, DockerError> = state.withLock { state in
            state.calls.append(.startContainer(id: id))
            guard var container = state.containers[id] else { return .failure(Self.noSuchContainer(id, "start container")) }
            container.status = "running"
            container.startedAt = now
            container.finishedAt = nil
            if container.isInfra {
                let mode = container.config.hostConfig.networkMode
                if let mode, let network = state.networks.values.first(where: { $0.name == mode || $0.id == mode }) {
                    let prefix = (network.subnet ?? "10.0.0.0/24").split(separator: ".").prefix(3).joined(separator: ".")
                    container.ipAddress = "\(prefix).\(state.sequence + 1)"
                    container.network = network.name
                } else {
                    container.ipAddress = "172.17.0.\(state.sequence + 1)"
                }
            }
            state.containers[id] = container
            return .success(())
        }
        try result.get()
    }

    func stopContainer(id: String, timeoutSeconds: Int) async throws(DockerError) {
        try finish(id, call: .stopContainer(id: id, timeoutSeconds: timeoutSeconds), exitCode: 0)
    }

    func killContainer(id: String, signal: String) async throws(DockerError) {
        try finish(id, call: .killContainer(id: id, signal: signal), exitCode: 137)
    }

    func removeContainer(id: String) async throws(DockerError) {
        let result: Result<Void, DockerError> = state.withLock { state in
            state.calls.append(.removeContainer(id: id))
            // Docker accepts a name where it takes an ID.
            guard let key = state.containers[id]?.id ?? state.containers.values.first(where: { $0.name == id })?.id else {
                return .failure(Self.noSuchContainer(id, "remove container"))
            }
            state.containers[key] = nil
            return .success(())
        }
        try result.get()
    }

    func inspectContainer(id: String) async throws(DockerError) -> ContainerInspect {
        guard let container = container(id) else { throw Self.noSuchContainer(id, "inspect container") }
        return ContainerInspect(
            id: container.id, name: "/" + container.name, created: Self.format(container.created),
            image: "sha256:" + container.config.image,
            state: .init(
                status: container.status, running: container.status == "running", exitCode: container.exitCode,
                startedAt: container.startedAt.map(Self.format) ?? "0001-01-01T00:00:00Z",
                finishedAt: container.finishedAt.map(Self.format) ?? "0001-01-01T00:00:00Z"),
            config: .init(image: container.config.image, labels: container.config.labels, env: container.config.env),
            hostConfig: container.config.hostConfig,
            networkSettings: container.network.map { .init(ipAddress: "", networks: [$0: .init(ipAddress: container.ipAddress)]) }
                ?? .init(ipAddress: container.ipAddress ?? ""))
    }

    func listContainers(labels: [String]) async throws(DockerError) -> [ContainerSummary] {
        state.withLock { state in
            state.containers.values
                .filter { container in
                    labels.allSatisfy { filter in
                        let parts = filter.split(separator: "=", maxSplits: 1).map(String.init)
                        let value = container.config.labels[parts[0]]
                        return parts.count == 1 ? value != nil : value == parts[1]
                    }
                }
                .sorted { $0.created > $1.created }
                .map {
                    ContainerSummary(
                        id: $0.id, names: ["/" + $0.name], image: $0.config.image,
                        created: Int64($0.created.timeIntervalSince1970), state: $0.status, labels: $0.config.labels)
                }
        }
    }

    func inspectImage(name: String) async throws(DockerError) -> ImageInspect? {
        state.withLock { state in
            state.calls.append(.inspectImage(name))
            return state.images.contains(name)
                ? ImageInspect(id: "sha256:" + name, repoTags: [name], config: .init(user: state.imageUsers[name])) : nil
        }
    }

    func pullImage(reference: String) async throws(DockerError) {
        let held = state.withLock { state in
            state.calls.append(.pullImage(reference))
            return state.holdingPulls
        }
        if held {
            await withCheckedContinuation { (pull: CheckedContinuation<Void, Never>) in
                let waits = state.withLock { state in
                    if state.holdingPulls { state.heldPulls.append(pull) }
                    return state.holdingPulls
                }
                if !waits { pull.resume() }
            }
        }
        let result: Result<Void, DockerError> = state.withLock { state in
            if let message = state.pullError { return .failure(.http(operation: "pull image", status: 500, message: message)) }
            state.images.insert(reference)
            return .success(())
        }
        try result.get()
    }

    /// Answers as the registry would before a pull: fails with the pull error, if any.
    func inspectDistribution(reference: String) async throws(DockerError) {
        let held = state.withLock { state in
            state.calls.append(.inspectDistribution(reference))
            return state.holdingProbes
        }
        if held {
            await withCheckedContinuation { (probe: CheckedContinuation<Void, Never>) in
                let waits = state.withLock { state in
                    if state.holdingProbes { state.heldProbes.append(probe) }
                    return state.holdingProbes
                }
                if !waits { probe.resume() }
            }
        }
        if let message = state.withLock({ $0.pullError }) {
            throw .http(operation: "inspect distribution", status: 500, message: message)
        }
    }

    func importImage(tarball: [UInt8], reference: String, changes: [String]) async throws(DockerError) {
        state.withLock { state in
            state.calls.append(.importImage(reference))
            state.images.insert(reference)
        }
    }

    func exec(containerID: String, command: [String], timeout: Duration) async throws(DockerError) -> ExecResult {
        ExecResult(exitCode: 0)
    }

    func containerEvents(labels: [String]) -> AsyncThrowingStream<DockerEvent, any Error> {
        let failure: (any Error)? = state.withLock { state in
            state.eventStreamsOpened += 1
            return state.eventStreamFailures.isEmpty ? nil : state.eventStreamFailures.removeFirst()
        }
        return AsyncThrowingStream { $0.finish(throwing: failure) }
    }

    /// Makes the next event streams fail with `errors`, one each.
    func failEventStreams(with errors: [any Error]) { state.withLock { $0.eventStreamFailures = errors } }

    /// How many event streams were opened so far.
    var eventStreamsOpened: Int { state.withLock { $0.eventStreamsOpened } }

    func createNetwork(_ config: NetworkCreateConfig) async throws(DockerError) -> String {
        let result: Result<String, DockerError> = state.withLock { state in
            let subnet = config.ipam.config?.first?.subnet ?? ""
            state.calls.append(.createNetwork(name: config.name, subnet: subnet))
            if state.networks.values.contains(where: { $0.name == config.name }) {
                return .failure(.http(operation: "create network", status: 409, message: "network with name \(config.name) already exists"))
            }
            if state.networks.values.contains(where: { $0.subnet == subnet }) {
                return .failure(.http(operation: "create network", status: 403, message: "Pool overlaps with other one on this address space"))
            }
            state.sequence += 1
            let id = String(format: "net%061x", state.sequence)
            state.networks[id] = NetworkInspect(
                id: id, name: config.name, driver: config.driver, ipam: config.ipam, options: config.options,
                labels: config.labels, containers: [:])
            return .success(id)
        }
        return try result.get()
    }

    func inspectNetwork(id: String) async throws(DockerError) -> NetworkInspect? {
        state.withLock { state in
            guard var network = state.networks[id] ?? state.networks.values.first(where: { $0.name == id }) else { return nil }
            var attached: [String: NetworkInspect.Endpoint] = [:]
            for container in state.containers.values where container.network == network.name && container.status == "running" {
                attached[container.id] = .init(name: container.name, ipv4Address: container.ipAddress.map { $0 + "/24" })
            }
            network.containers = attached
            return network
        }
    }

    func listNetworks(name: String?, labels: [String]) async throws(DockerError) -> [NetworkInspect] {
        state.withLock { state in
            state.networks.values.filter { network in
                (name == nil || network.name == name)
                    && labels.allSatisfy { filter in
                        let parts = filter.split(separator: "=", maxSplits: 1).map(String.init)
                        let value = network.labels?[parts[0]]
                        return parts.count == 1 ? value != nil : value == parts[1]
                    }
            }
        }
    }

    func removeNetwork(id: String) async throws(DockerError) {
        let result: Result<Void, DockerError> = state.withLock { state in
            state.calls.append(.removeNetwork(id: id))
            guard let network = state.networks[id] else {
                return .failure(.http(operation: "remove network", status: 404, message: "network \(id) not found"))
            }
            if state.containers.values.contains(where: { $0.network == network.name && $0.status == "running" }) {
                return .failure(.http(
                    operation: "remove network", status: 403,
                    message: "error while removing network: network \(network.name) id \(id) has active endpoints"))
            }
            state.networks[id] = nil
            return .success(())
        }
        try result.get()
    }

    func disconnectNetwork(id: String, containerID: String, force: Bool) async throws(DockerError) {
        state.withLock { state in
            state.calls.append(.disconnectNetwork(id: id, containerID: containerID))
            state.containers[containerID]?.network = nil
            state.containers[containerID]?.ipAddress = nil
        }
    }

    // MARK: Helpers

    private func finish(_ id: String, call: Call, exitCode: Int) throws(DockerError) {
        let now = clock.now
        let result: Result<Void, DockerError> = state.withLock { state in
            state.calls.append(call)
            guard var container = state.containers[id] else { return .failure(Self.noSuchContainer(id, "stop container")) }
            if container.status == "running" {
                container.status = "exited"
                container.exitCode = exitCode
                container.finishedAt = now
            }
            state.containers[id] = container
            return .success(())
        }
        try result.get()
    }

    private static func noSuchContainer(_ id: String, _ operation: String) -> DockerError {
        .http(operation: operation, status: 404, message: "No such container: \(id)")
    }

    /// RFC 3339 with milliseconds, as Docker writes times (it gives nanoseconds).
    static func format(_ date: Date) -> String {
        let whole = date.timeIntervalSince1970.rounded(.down)
        let milliseconds = min(999, Int(((date.timeIntervalSince1970 - whole) * 1000).rounded()))
        return String(KubeTime.format(date).dropLast()) + String(format: ".%03dZ", milliseconds)
    }
}
