import Foundation
import Logging
import ServiceLifecycle
import ServiceProxy

/// Keeps the accept for the proxy's marked traffic in Docker's DOCKER-USER chain
/// (`DockerForwardAccept`): at start and every minute, since a firewall reload or a Docker
/// restart may take it away.
struct DockerUserAcceptService: Service {
    let accept: DockerForwardAccept
    let logger: Logger
    var interval: Duration = .seconds(60)

    func run() async throws {
        var last: String?
        while !Task.isCancelledOrShuttingDown {
            let outcome: String
            do {
                // iptables waits for the xtables lock: off the cooperative pool.
                let accept = self.accept
                let result = try await Task.detached { try accept.ensure() }.value
                switch result {
                case .inserted:
                    logger.notice(
                        "accepted the service proxy's marked traffic in DOCKER-USER, so NodePorts reach pods on a Docker host",
                        metadata: ["iptables.rule": "\(accept.rule.joined(separator: " "))"])
                    outcome = "inserted"
                case .alreadyPresent: outcome = "present"
                case .noDockerUserChain:
                    outcome = "absent"
                    if last != outcome { logger.info("no DOCKER-USER chain: dockerd does not manage iptables here, nothing to accept") }
                }
            } catch {
                outcome = "failed"
                if last != outcome { logger.warning("could not check Docker's DOCKER-USER chain: \(error)") }
            }
            last = outcome
            try? await Task.sleep(for: interval)
        }
    }
}

extension Task where Success == Never, Failure == Never {
    static var isCancelledOrShuttingDown: Bool { isCancelled || Task.isShuttingDownGracefully }
}
