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
    public var mark: UInt32
    private let runner: any CommandRunner

    public init(mark: UInt32, runner: any CommandRunner = SpawnCommandRunner()) {
        self.mark = mark
        self.runner = runner
    }

    /// The rule, as `iptables` arguments after the chain name.
    public var rule: [String] {
        let hex = "0x" + String(mark, radix: 16)
        return [
            "-m", "mark", "--mark", "\(hex)/\(hex)", "-m", "comment", "--comment", "clc-node: service traffic the proxy marked",
            "-j", "ACCEPT",
        ]
    }

    /// Inserts the rule at the top of DOCKER-USER unless it is there.
    /// - Throws: `Failure` when iptables fails other than by the chain or rule being absent, or
    ///   the error of starting it.
    public func ensure() throws -> Outcome {
        // -w: wait for the xtables lock Docker may hold.
        let list = try runner.run("iptables", ["-w", "5", "-t", "filter", "-S", Self.chain])
        guard list.status == 0 else { return .noDockerUserChain }
        let check = try runner.run("iptables", ["-w", "5", "-t", "filter", "-C", Self.chain] + rule)
        if check.status == 0 { return .alreadyPresent }
        let insertArguments = ["-w", "5", "-t", "filter", "-I", Self.chain, "1"] + rule
        let insert = try runner.run("iptables", insertArguments)
        guard insert.status == 0 else {
            throw Failure(command: "iptables " + insertArguments.joined(separator: " "), status: insert.status, stderr: insert.stderr)
        }
        return .inserted
    }
}
