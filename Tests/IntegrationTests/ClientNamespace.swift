import Foundation

/// A client outside the node: a network namespace of its own (`ip netns add`), joined to the
/// root namespace by a veth pair on a /24 of 192.168.200-249 that no interface or route of the
/// host uses. The host side of the pair is the node address the client reaches; the client's
/// default route goes through it, so cluster IPs are reached the way an outside router would
/// send them to a node.
final class ClientNamespace: Sendable {
    let name: String
    /// The veth end in the root namespace.
    let hostInterface: String
    /// The node's address on the pair, in the root namespace.
    let hostAddress: String
    let clientAddress: String

    private init(name: String, hostInterface: String, hostAddress: String, clientAddress: String) {
        self.name = name
        self.hostInterface = hostInterface
        self.hostAddress = hostAddress
        self.clientAddress = clientAddress
    }

    /// Creates the namespace and the pair; removes what it made if a step fails.
    static func create() async throws -> ClientNamespace {
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let subnet = try await freeSubnet()
        let namespace = ClientNamespace(
            name: "clc-client-\(suffix)", hostInterface: "clch\(suffix)", hostAddress: "\(subnet).1",
            clientAddress: "\(subnet).2")
        do {
            try await namespace.setUp()
        } catch {
            await namespace.remove()
            throw error
        }
        return namespace
    }

    private func setUp() async throws {
        let clientInterface = "clcc" + hostInterface.dropFirst(4)
        try await HostCommand.check(ip, ["netns", "add", name])
        try await HostCommand.check(
            ip, ["link", "add", hostInterface, "type", "veth", "peer", "name", clientInterface, "netns", name])
        try await HostCommand.check(ip, ["addr", "add", "\(hostAddress)/24", "dev", hostInterface])
        try await HostCommand.check(ip, ["link", "set", hostInterface, "up"])
        try await HostCommand.check(ip, ["-n", name, "link", "set", "lo", "up"])
        try await HostCommand.check(ip, ["-n", name, "addr", "add", "\(clientAddress)/24", "dev", clientInterface])
        try await HostCommand.check(ip, ["-n", name, "link", "set", clientInterface, "up"])
        try await HostCommand.check(ip, ["-n", name, "route", "add", "default", "via", hostAddress])
    }

    /// Deletes the namespace and the host end of the pair (deleting either end deletes both).
    func remove() async {
        _ = try? await HostCommand.run(ip, ["link", "delete", hostInterface])
        _ = try? await HostCommand.run(ip, ["netns", "delete", name])
    }

    /// `curl -sS -m <timeout> <url>` from inside the namespace; `verbose` adds `-v`, whose
    /// "connect to ... failed: <reason>" line on stderr tells a refusal from other failures.
    func curl(_ url: String, timeout: Int = 5, verbose: Bool = false) async throws -> HostCommand.Result {
        try await HostCommand.run(
            ip, ["netns", "exec", name, "/usr/bin/curl", "-sS", "-m", String(timeout)] + (verbose ? ["-v"] : []) + [url])
    }

    private let ip = "/usr/sbin/ip"

    /// The first 192.168.N.0/24 (N in 200-249, from a random start) that no address or route
    /// of the root namespace mentions.
    private static func freeSubnet() async throws -> String {
        let addresses = try await HostCommand.check("/usr/sbin/ip", ["-4", "-o", "addr", "show"])
        let routes = try await HostCommand.check("/usr/sbin/ip", ["-4", "route", "show", "table", "all"])
        let start = Int.random(in: 0..<50)
        for offset in 0..<50 {
            let subnet = "192.168.\(200 + (start + offset) % 50)"
            if !addresses.contains(subnet + ".") && !routes.contains(subnet + ".") { return subnet }
        }
        throw HostCommand.Failure(
            result: .init(status: -1, output: "", errors: "every subnet is in use", elapsed: .zero, command: "ip addr show"))
    }
}
