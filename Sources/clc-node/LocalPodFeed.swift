import KubeAPI
import PodRuntime
import ServiceLifecycle
import ServiceProxy

/// Feeds this node's pods, with their status, to the service proxy as they change: where no
/// master writes Endpoints (the manifest directory), the proxy computes them from these.
struct LocalPodFeed: ServiceLifecycle.Service {
    let manager: PodManager
    let proxy: ServiceProxyController

    func run() async throws {
        await cancelWhenGracefulShutdown {
            // After a restart the pods run on, but the manager knows them only once it synced
            // each: before that, an empty list would make the proxy reject their services.
            while await !manager.hasRecordedEveryDesiredPod {
                guard (try? await Task.sleep(for: .milliseconds(50))) != nil else { return }
            }
            let updates = await manager.statusUpdates()
            await proxy.update(localPods: pods())
            for await _ in updates {
                await proxy.update(localPods: pods())
            }
        }
    }

    private func pods() async -> [Pod] {
        await manager.snapshot().map { record in
            var pod = record.pod
            pod.status = record.status
            return pod
        }
    }
}
