import Foundation
import Logging
import ServiceLifecycle

/// Keeps the accepts for the proxy's marked traffic (and the flannel network's) in Docker's DOCKER-USER chain
/// (`DockerForwardAccept`): at start and every `interval`, since a firewall reload or a Docker
/// restart may take it away. Returns as soon as the group shuts down.
public struct DockerUserAcceptService: ServiceLifecycle.Service {
    let accept: DockerForwardAccept
    let logger: Logger
    let interval: Duration

    public init(accept: DockerForwardAccept, interval: Duration = .seconds(60), logger: Logger) {
        self.accept = accept
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        // The sleep between checks must end with the group: cancelled on graceful shutdown.
        await cancelWhenGracefulShutdown {
            var last: DockerForwardAccept.Outcome?
            var failed = false
            while !Task.isCancelled {
                do {
                    let outcome = try await self.accept.ensure()
                    failed = false
                    report(outcome, after: last)
                    last = outcome
                } catch {
                    if !failed { logger.warning("could not check Docker's DOCKER-USER chain: \(error)") }
                    failed = true
                }
                guard (try? await Task.sleep(for: interval)) != nil else { return }
            }
        }
    }

    private func report(_ outcome: DockerForwardAccept.Outcome, after last: DockerForwardAccept.Outcome?) {
        switch outcome {
        case .inserted:
            logger.notice(
                "accepted the service proxy's marked traffic and the pod network's in DOCKER-USER, so NodePorts and other nodes reach pods on a Docker host",
                metadata: ["iptables.rules": "\(accept.rules.map { $0.joined(separator: " ") }.joined(separator: "; "))"])
        case .alreadyPresent: break
        case .noDockerUserChain:
            if last != .noDockerUserChain {
                logger.info("no DOCKER-USER chain: dockerd does not manage iptables here, nothing to accept")
            }
        }
    }
}
