import DockerEngine
import IPv4
import Logging

/// Makes the engine hold the ``PodNetwork``: adopts a network of that name that matches it,
/// recreates one that does not, creates it when missing. Docker keeps running throughout.
///
/// Recreating a network detaches the containers on it first (the engine refuses to remove a
/// network with endpoints). Their infra containers then carry the old network's ID in their
/// labels, so pod sync recreates those pods' sandboxes on the new network, as kubelet does
/// when a sandbox's network changed; the app containers restart with their restart counts
/// raised by one.
public struct PodNetworkProvisioner: Sendable {
    /// What to do about the network, decided from what the engine holds.
    public enum Plan: Sendable, Hashable {
        case adopt(id: String)
        case create
        /// Remove the network `id` and create it anew, because of `differences`.
        case recreate(id: String, differences: [String])
    }

    private let engine: any DockerEngine
    private let logger: Logger

    public init(engine: any DockerEngine, logger: Logger) {
        self.engine = engine
        self.logger = logger
    }

    /// Decides from the networks named like the desired one.
    public static func plan(for desired: PodNetwork, existing: NetworkInspect?) -> Plan {
        guard let existing else { return .create }
        let differences = differences(desired, existing)
        return differences.isEmpty ? .adopt(id: existing.id) : .recreate(id: existing.id, differences: differences)
    }

    /// What differs between the desired network and an existing one, as a reader would say it
    /// (`subnet 10.77.1.0/24, want 10.77.2.0/24`). Options Docker defaults when absent count
    /// with their default value.
    public static func differences(_ desired: PodNetwork, _ existing: NetworkInspect) -> [String] {
        var result: [String] = []
        func compare(_ what: String, _ have: String?, _ want: String) {
            if have != want { result.append("\(what) \(have ?? "unset"), want \(want)") }
        }
        compare("driver", existing.driver, "bridge")
        compare("subnet", existing.subnet.flatMap { IPv4CIDR($0)?.description } ?? existing.subnet, desired.subnet)
        compare("gateway", existing.gateway, desired.gateway)
        let options = existing.options ?? [:]
        compare("bridge name", options[NetworkOptions.bridgeName], desired.bridgeName)
        compare("mtu", options[NetworkOptions.mtu] ?? "1500", String(desired.mtu))
        compare("ip masquerade", (options[NetworkOptions.enableIPMasquerade] ?? "true").lowercased(), String(desired.dockerMasquerade))
        compare("inter-container connectivity", (options[NetworkOptions.enableICC] ?? "true").lowercased(), "true")
        return result
    }

    /// Ensures the network exists as desired.
    /// - Returns: the network's name and ID, for the infra containers' labels.
    /// - Throws: ``PodNetworkError``: `subnetInUse` when another network holds the subnet,
    ///   `docker` when the engine refuses a step.
    public func ensure(_ desired: PodNetwork) async throws(PodNetworkError) -> SandboxNetwork {
        let name = desired.name
        var current: NetworkInspect?
        do {
            // A list carries no containers: inspect the one found.
            if let found = try await engine.listNetworks(name: name, labels: []).first {
                current = try await engine.inspectNetwork(id: found.id)
            }
        } catch {
            throw .docker(network: name, error)
        }
        switch Self.plan(for: desired, existing: current) {
        case let .adopt(id):
            logger.info("adopting pod network \(desired)", metadata: ["network.id": "\(id.prefix(12))"])
            return SandboxNetwork(name: name, id: id)
        case .create:
            break
        case let .recreate(id, differences):
            let attached = current?.containers ?? [:]
            logger.notice(
                "recreating pod network \(name): \(differences.joined(separator: "; "))",
                metadata: ["network.id": "\(id.prefix(12))", "network.containers": "\(attached.count)"])
            // Their pods' sandboxes are recreated on the new network by pod sync.
            for containerID in attached.keys.sorted() {
                do {
                    try await engine.disconnectNetwork(id: id, containerID: containerID, force: true)
                } catch where error.isNotFound {
                    continue
                } catch {
                    throw .docker(network: name, error)
                }
            }
            do {
                try await engine.removeNetwork(id: id)
            } catch where error.isNotFound {
            } catch {
                throw .docker(network: name, error)
            }
        }
        do {
            let id = try await engine.createNetwork(desired.createConfig)
            logger.info("created pod network \(desired)", metadata: ["network.id": "\(id.prefix(12))"])
            return SandboxNetwork(name: name, id: id)
        } catch where error.isPoolOverlap {
            throw .subnetInUse(network: name, subnet: desired.subnet, message: error.message)
        } catch {
            throw .docker(network: name, error)
        }
    }
}

