/// Lets NodePort traffic through a Docker host's FORWARD chain.
///
/// dockerd, when it manages iptables (its default), sets the FORWARD policy to DROP and accepts
/// only traffic to published container ports and replies. A connection from outside to a
/// NodePort is DNATed to a pod on the docker bridge, so it is forwarded, and Docker drops it: an
/// accept in our nftables table cannot overrule a drop in Docker's. Docker reserves the chain
/// DOCKER-USER, evaluated first in FORWARD, for exactly this; kube-proxy's iptables mode accepts
/// the same traffic in KUBE-FORWARD. The proxy marks every connection it serves from outside the
/// pod network for masquerading (the mark bit, 0x4000), and that mark is what the accept matches:
/// nothing else is let through. Replies are accepted by Docker's own ESTABLISHED rule.
///
/// With flannel on, the pod network's traffic between nodes is forwarded too, and Docker drops
/// it the same way: `acceptedNetworks` adds flannel's FLANNEL-FWD accepts (`-s <network> -j
/// ACCEPT`, `-d <network> -j ACCEPT`) to the same chain.
///
/// Done with the `iptables` command, which is how Docker and its users edit that chain, so the
/// rule lands in whichever backend (nft or legacy) Docker itself uses. Where there is no
/// DOCKER-USER chain (dockerd with `--iptables=false`, or no Docker), there is nothing to do.
public struct DockerForwardAccept: Sendable {
    public enum Outcome: Sendable, Hashable {
        case inserted
        case alreadyPresent
        /// No DOCKER-USER chain: Docker does not manage iptables here.
        case noDockerUserChain
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var command: String
        public var status: Int32
        public var stderr: String

        public var description: String {
            "\(command) exited with \(status): \(stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
    }

    public static let chain = "DOCKER-USER"
    /// The proxy's mark bit; nil accepts no marked traffic (flannel without the proxy).
    public var mark: UInt32?
    /// Networks whose traffic is accepted in both directions (the flannel network), as
    /// `10.1.0.0/16`.
    public var acceptedNetworks: [String]
    private let runner: any CommandRunner

    /// - Parameters:
    ///   - mark: the proxy's masquerade mark bit.
    ///   - acceptedNetworks: the flannel network, when flannel is on.
    public init(mark: UInt32?, acceptedNetworks: [String] = [], runner: any CommandRunner = SpawnCommandRunner()) {
        self.mark = mark
        self.acceptedNetworks = acceptedNetworks
        self.runner = runner
    }

    /// The mark rule, as `iptables` arguments after the chain name (empty without a mark).
    public var rule: [String] {
        guard let mark else { return [] }
        let hex = "0x" + String(mark, radix: 16)
        return [
            "-m", "mark", "--mark", "\(hex)/\(hex)", "-m", "comment", "--comment", "clc-node: service traffic the proxy marked",
            "-j", "ACCEPT",
        ]
    }

    /// Every rule, in chain order: the mark's, then per network its source and destination
    /// accepts (flannel's FLANNEL-FWD).
    public var rules: [[String]] {
        (mark == nil ? [] : [rule])
            + acceptedNetworks.flatMap { network in
                [
                    ["-s", network, "-m", "comment", "--comment", "clc-node: flannel network", "-j", "ACCEPT"],
                    ["-d", network, "-m", "comment", "--comment", "clc-node: flannel network", "-j", "ACCEPT"],
                ]
            }
    }

    /// Inserts each rule at the top of DOCKER-USER (in order) unless it is there.
    /// - Returns: `.inserted` when any rule was inserted.
    /// - Throws: `Failure` when iptables fails other than by the chain or rule being absent, or
    ///   the error of starting it.
    public func ensure() async throws -> Outcome {
        // -w: wait for the xtables lock Docker may hold.
        let list = try await runner.run("iptables", ["-w", "5", "-t", "filter", "-S", Self.chain])
        guard list.status == 0 else { return .noDockerUserChain }
        var outcome = Outcome.alreadyPresent
        // Inserted at position n, so the rules keep their order above Docker's RETURN.
        for (position, rule) in rules.enumerated() {
            let check = try await runner.run("iptables", ["-w", "5", "-t", "filter", "-C", Self.chain] + rule)
            if check.status == 0 { continue }
            let insertArguments = ["-w", "5", "-t", "filter", "-I", Self.chain, "\(position + 1)"] + rule
            let insert = try await runner.run("iptables", insertArguments)
            guard insert.status == 0 else {
                throw Failure(command: "iptables " + insertArguments.joined(separator: " "), status: insert.status, stderr: insert.stderr)
            }
            outcome = .inserted
        }
        return outcome
    }
}
