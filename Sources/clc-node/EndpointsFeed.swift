import AgentTime
import KubeAPI
import Logging
import MasterClient
import ServiceLifecycle
import ServiceProxy

/// Feeds the service proxy its endpoints from the master: asks discovery once whether the
/// master serves `discovery.k8s.io/v1` (retrying with back-off while it does not answer), says
/// in the log which source it uses, then lists and watches EndpointSlices, or v1 Endpoints on a
/// master that lacks them (the seed's).
struct EndpointsFeed: ServiceLifecycle.Service {
    let client: MasterClient
    let proxy: ServiceProxyController
    let pollInterval: Duration?
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            guard let source = await decide() else { return }
            logger.info(
                "service proxy endpoints from \(source.rawValue)",
                metadata: ["endpoints.source": "\(source.path)", "master": "\(client.endpoint)"])
            switch source {
            case .endpointSlices:
                await Reflector<EndpointSlice>(
                    client: client, path: source.path, pollInterval: pollInterval, logger: logger,
                    deliverWithDelta: { slices, delta in await proxy.update(endpointSlices: slices, delta: delta) }
                ).run()
            case .endpoints:
                await Reflector<Endpoints>(
                    client: client, path: source.path, pollInterval: pollInterval, logger: logger,
                    deliverWithDelta: { endpoints, delta in await proxy.update(endpoints: endpoints, delta: delta) }
                ).run()
            }
        }
    }

    /// The source, once the master answers; nil when cancelled first.
    private func decide() async -> EndpointsSource? {
        var backOff = RetryBackOff(initial: .milliseconds(500), maximum: .seconds(30))
        var failures = 0
        while !Task.isCancelled {
            do {
                return try await client.endpointsSource()
            } catch {
                failures += 1
                if failures == 1 || failures % 20 == 0 {
                    logger.warning("cannot ask the master whether it serves EndpointSlices, retrying: \(error)")
                }
                try? await Task.sleep(for: backOff.next())
            }
        }
        return nil
    }
}
