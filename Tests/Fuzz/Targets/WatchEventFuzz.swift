import CurlHTTP
import KubeAPI

@testable import MasterClient

/// A watch stream from the master, as the reflectors read it: split into lines (in chunks, as
/// libcurl delivers them) and each line applied to the stores of the four kinds the agent
/// watches (pods, services, endpoints, endpoint slices).
enum WatchEventFuzz {
    static func run(_ bytes: UnsafeRawBufferPointer) {
        var pods = ObjectStore<Pod>()
        var services = ObjectStore<Service>()
        var endpoints = ObjectStore<Endpoints>()
        var slices = ObjectStore<EndpointSlice>()
        var splitter = LineSplitter(maxLineBytes: LineSplitter.watchMaxLineBytes, stream: "watch fuzz")
        var offset = 0
        while offset < bytes.count {
            let chunk = Array(bytes[offset..<min(offset + 256, bytes.count)])
            offset += chunk.count
            guard let lines = try? splitter.append(chunk) else { return }
            for line in lines {
                _ = try? Reflector<Pod>.apply(line, to: &pods, label: "watch /api/v1/pods")
                _ = try? Reflector<Service>.apply(line, to: &services, label: "watch /api/v1/services")
                _ = try? Reflector<Endpoints>.apply(line, to: &endpoints, label: "watch /api/v1/endpoints")
                _ = try? Reflector<EndpointSlice>.apply(line, to: &slices, label: "watch /apis/discovery.k8s.io/v1/endpointslices")
            }
        }
        for pod in pods.items {
            _ = pod.withDefaults().validationErrors()
        }
        for service in services.items {
            _ = service.withDefaults().validationErrors()
        }
    }
}
