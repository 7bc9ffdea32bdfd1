import MasterClient
import ServiceLifecycle

/// Runs a ``Reflector`` as a service of the group, until shutdown.
struct ReflectorService<Resource: KubeResource>: Service {
    let reflector: Reflector<Resource>

    init(_ reflector: Reflector<Resource>) { self.reflector = reflector }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await reflector.run()
        }
    }
}
