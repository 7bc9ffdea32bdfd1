import DockerEngine
import Foundation
import Testing

@testable import PodRuntime

@Suite("The pod network")
struct PodNetworkTests {
    static func network(subnet: String = "10.77.1.0/24", mtu: Int = 1450, masquerade: Bool = false) throws -> PodNetwork {
        try PodNetwork(subnet: subnet, mtu: mtu, dockerMasquerade: masquerade)
    }

    /// The engine's view of `network`, as Docker reports one created from it.
    static func inspect(_ network: PodNetwork, id: String = "net-1") -> NetworkInspect {
        NetworkInspect(
            id: id, name: network.name, driver: "bridge",
            ipam: NetworkIPAM(config: [.init(subnet: network.subnet, gateway: network.gateway)]), options: network.options,
            labels: [PodNetwork.managedLabel: "true"], containers: [:])
    }

    @Test("the gateway is the subnet's first address and the subnet is normalised")
    func gateway() throws {
        let network = try PodNetwork(subnet: "10.77.1.7/24")
        #expect(network.subnet == "10.77.1.0/24")
        #expect(network.gateway == "10.77.1.1")
        #expect(network.name == "clc-pods")
        #expect(network.bridgeName == "clcpod0")
    }

    @Test(
        "a subnet that is not an IPv4 CIDR with room for pods is refused, naming it",
        arguments: ["10.77.1.0", "10.77.1.0/33", "10.77.300.0/24", "fd00::/64", "10.77.1.0/31"])
    func invalidSubnet(_ subnet: String) {
        #expect(throws: PodNetworkError.self) { try PodNetwork(subnet: subnet) }
        do {
            _ = try PodNetwork(subnet: subnet)
        } catch {
            #expect("\(error)".contains("\"\(subnet)\""))
        }
    }

    @Test("the create request carries flannel's Docker options: bridge, MTU, masquerade off when the agent masquerades")
    func createRequest() throws {
        let config = try Self.network().createConfig
        #expect(config.driver == "bridge")
        #expect(config.ipam.config == [.init(subnet: "10.77.1.0/24", gateway: "10.77.1.1")])
        #expect(config.options[NetworkOptions.bridgeName] == "clcpod0")
        #expect(config.options[NetworkOptions.mtu] == "1450")
        #expect(config.options[NetworkOptions.enableIPMasquerade] == "false")
        #expect(config.labels[PodNetwork.managedLabel] == "true")
        #expect(config.checkDuplicate)
    }

    @Test("a missing network is created, a matching one adopted, one that differs recreated saying what differs")
    func plans() throws {
        let desired = try Self.network()
        #expect(PodNetworkProvisioner.plan(for: desired, existing: nil) == .create)
        #expect(PodNetworkProvisioner.plan(for: desired, existing: Self.inspect(desired)) == .adopt(id: "net-1"))

        var other = Self.inspect(try Self.network(subnet: "10.77.2.0/24", mtu: 1500, masquerade: true))
        other.options?[NetworkOptions.bridgeName] = nil
        #expect(
            PodNetworkProvisioner.plan(for: desired, existing: other)
                == .recreate(id: "net-1", differences: [
                    "subnet 10.77.2.0/24, want 10.77.1.0/24", "gateway 10.77.2.1, want 10.77.1.1",
                    "bridge name unset, want clcpod0", "mtu 1500, want 1450", "ip masquerade true, want false",
                ]))
    }

    @Test("options Docker defaults count as their defaults: a network made by hand without them matches")
    func defaults() throws {
        let desired = try PodNetwork(subnet: "10.77.1.0/24")
        var existing = Self.inspect(desired)
        existing.options = [NetworkOptions.bridgeName: "clcpod0"]
        #expect(PodNetworkProvisioner.plan(for: desired, existing: existing) == .adopt(id: "net-1"))
    }

    @Test("ensure creates the network once and adopts it on the next run")
    func ensureCreatesThenAdopts() async throws {
        let engine = FakeDockerEngine(clock: TestClock(TestFixtures.epoch))
        let provisioner = PodNetworkProvisioner(engine: engine, logger: TestFixtures.logger)
        let created = try await provisioner.ensure(try Self.network())
        #expect(created.name == "clc-pods")
        #expect(engine.networks.map(\.id) == [created.id])
        let adopted = try await provisioner.ensure(try Self.network())
        #expect(adopted == created)
        #expect(engine.calls == [.createNetwork(name: "clc-pods", subnet: "10.77.1.0/24")])
    }

    @Test("ensure recreates a network on another subnet, detaching its containers first")
    func ensureRecreates() async throws {
        let engine = FakeDockerEngine(clock: TestClock(TestFixtures.epoch), images: ["pause"])
        let provisioner = PodNetworkProvisioner(engine: engine, logger: TestFixtures.logger)
        let old = try await provisioner.ensure(try Self.network(subnet: "10.77.1.0/24"))
        let container = try await engine.createContainer(
            name: "k8s_POD", config: ContainerCreateConfig(
                image: "pause", labels: [ContainerLabels.dockerType: ContainerLabels.sandboxType],
                hostConfig: HostConfig(networkMode: "clc-pods")))
        try await engine.startContainer(id: container)

        let new = try await provisioner.ensure(try Self.network(subnet: "10.77.3.0/24"))
        #expect(new.name == "clc-pods")
        #expect(new.id != old.id)
        #expect(engine.networks.map(\.subnet) == ["10.77.3.0/24"])
        #expect(
            engine.calls.filter { if case .createContainer = $0 { false } else if case .startContainer = $0 { false } else { true } } == [
                .createNetwork(name: "clc-pods", subnet: "10.77.1.0/24"),
                .disconnectNetwork(id: try #require(old.id), containerID: container), .removeNetwork(id: try #require(old.id)),
                .createNetwork(name: "clc-pods", subnet: "10.77.3.0/24"),
            ])
    }

    @Test("a subnet another network holds is a named error suggesting Docker was started with flannel's --bip")
    func subnetInUse() async throws {
        let engine = FakeDockerEngine(clock: TestClock(TestFixtures.epoch))
        engine.addNetwork(Self.inspect(try PodNetwork(name: "bridge", subnet: "10.77.1.0/24", bridgeName: "docker0"), id: "bridge-id"))
        let provisioner = PodNetworkProvisioner(engine: engine, logger: TestFixtures.logger)
        let desired = try Self.network()
        do throws(PodNetworkError) {
            _ = try await provisioner.ensure(desired)
            Issue.record("a network was created on a subnet in use")
        } catch {
            guard case .subnetInUse(network: "clc-pods", subnet: "10.77.1.0/24", _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect("\(error)".contains("--bip"))
        }
    }
}
