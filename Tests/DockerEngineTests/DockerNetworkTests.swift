import DockerEngine
import Foundation
import TestSupport
import Testing

@Suite("The Docker networks API against the real engine", .serialized)
struct DockerNetworkTests {
    let client: DockerClient
    let tag = String(UUID().uuidString.prefix(8)).lowercased()
    var label: String { "io.clc-node.test=\(tag)" }

    init() throws {
        client = DockerClient(socketPath: try TestEnvironment.dockerSocket())
    }

    /// A bridge network on a /24 of 10.231.0.0/16 that this test alone uses.
    private func config(name: String, third: Int = Int.random(in: 0...255), mtu: Int = 1450) -> NetworkCreateConfig {
        NetworkCreateConfig(
            name: name,
            ipam: NetworkIPAM(config: [.init(subnet: "10.231.\(third).0/24", gateway: "10.231.\(third).1")]),
            options: [
                NetworkOptions.bridgeName: "clct\(tag.prefix(6))", NetworkOptions.mtu: "\(mtu)",
                NetworkOptions.enableIPMasquerade: "false",
            ],
            labels: ["io.clc-node.test": tag])
    }

    /// Runs `body`, then removes what it made even when it failed (a `defer { Task {...} }`
    /// may never run before the test process exits, leaving a bridge behind).
    private func withCleanUp(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            await cleanUp()
            throw error
        }
        await cleanUp()
    }

    private func cleanUp() async {
        for container in (try? await client.listContainers(labels: [label])) ?? [] {
            try? await client.removeContainer(id: container.id)
        }
        for network in (try? await client.listNetworks(name: nil, labels: [label])) ?? [] {
            try? await client.removeNetwork(id: network.id)
        }
    }

    @Test("a created network is inspected with its subnet, gateway and options, listed by exact name and label, and removed")
    func networkLifecycle() async throws {
        try await withCleanUp {
            let name = "clc-test-\(tag)"
            let id = try await client.createNetwork(config(name: name, third: 7))
            let network = try #require(try await client.inspectNetwork(id: name))
            #expect(network.id == id)
            #expect(network.driver == "bridge")
            #expect(network.subnet == "10.231.7.0/24")
            #expect(network.gateway == "10.231.7.1")
            #expect(network.options?[NetworkOptions.bridgeName] == "clct\(tag.prefix(6))")
            #expect(network.options?[NetworkOptions.mtu] == "1450")
            #expect(network.options?[NetworkOptions.enableIPMasquerade] == "false")
            #expect(network.labels?["io.clc-node.test"] == tag)

            #expect(try await client.listNetworks(name: name, labels: []).map(\.id) == [id])
            #expect(try await client.listNetworks(name: "clc-test-", labels: []).isEmpty, "the name filter is exact")
            #expect(try await client.listNetworks(name: nil, labels: [label]).map(\.id) == [id])

            try await client.removeNetwork(id: id)
            #expect(try await client.inspectNetwork(id: id) == nil)
            do throws(DockerError) {
                try await client.removeNetwork(id: id)
                Issue.record("removing a removed network succeeded")
            } catch {
                #expect(error.isNotFound)
            }
        }
    }

    @Test("a second network of the same name is a conflict")
    func duplicateName() async throws {
        try await withCleanUp {
            let name = "clc-test-\(tag)"
            _ = try await client.createNetwork(config(name: name))
            do throws(DockerError) {
                var second = config(name: name)
                second.options[NetworkOptions.bridgeName] = "clcu\(tag.prefix(6))"
                _ = try await client.createNetwork(second)
                Issue.record("a second network with the same name was created")
            } catch {
                #expect(error.isConflict, "\(error)")
            }
        }
    }

    @Test("a container created with the network as its mode gets an address of the subnet, under Networks[name]")
    func containerOnNetwork() async throws {
        try await withCleanUp {
            let name = "clc-test-\(tag)"
            let networkID = try await client.createNetwork(config(name: name, third: 9))
            let id = try await client.createContainer(
                name: "clc-test-\(tag)",
                config: ContainerCreateConfig(
                    image: "clc-test/busybox:latest", cmd: ["sleep", "1000"], labels: ["io.clc-node.test": tag],
                    hostConfig: HostConfig(networkMode: name)))
            try await client.startContainer(id: id)
            let inspect = try await client.inspectContainer(id: id)
            let address = try #require(inspect.ipAddress(onNetwork: name))
            #expect(address.hasPrefix("10.231.9."))
            #expect(inspect.ipAddress == address, "the address is found when the default bridge's is empty")
            #expect(inspect.ipAddress(onNetwork: "bridge") == address || inspect.networkSettings?.ipAddress == "")

            let network = try #require(try await client.inspectNetwork(id: networkID))
            #expect(network.containers?[id]?.ipv4Address == address + "/24")
            do throws(DockerError) {
                try await client.removeNetwork(id: networkID)
                Issue.record("a network with a running container was removed")
            } catch {
                #expect(error.hasActiveEndpoints, "\(error)")
            }
            try await client.disconnectNetwork(id: networkID, containerID: id, force: true)
            #expect(try await client.inspectContainer(id: id).ipAddress(onNetwork: name) == nil)
            try await client.removeNetwork(id: networkID)
        }
    }

    @Test("a subnet that overlaps another network's is refused with a message saying so")
    func overlappingSubnet() async throws {
        try await withCleanUp {
            _ = try await client.createNetwork(config(name: "clc-test-\(tag)", third: 11))
            var second = config(name: "clc-test-\(tag)-b", third: 11)
            second.options[NetworkOptions.bridgeName] = "clcu\(tag.prefix(6))"
            do throws(DockerError) {
                _ = try await client.createNetwork(second)
                Issue.record("an overlapping network was created")
            } catch {
                #expect(error.isPoolOverlap, "\(error)")
            }
        }
    }
}
