import Foundation
import KubeAPI
import Logging
import PodRuntime

/// A manifest file as the agent reads it from `--manifest-dir`: the scanner reads, decodes (JSON
/// or YAML, any kind), expands (static pods, replication controllers, services) and assembles
/// (cluster IPs); then, as the pod syncer does for every pod, the infra container's and each
/// valid container's Docker create request are built.
enum ManifestFuzz {
    static let nodeName = "fuzz-node"
    static let logger = Logger(label: "clc-fuzz") { _ in SwiftLogNoOpLogHandler() }
    static let allocator = try! ClusterIPAllocator(cidr: "10.254.0.0/16")
    // allowPrivileged: the builder then goes on past the privileged and host-namespace refusals.
    static let builder = ContainerConfigBuilder(
        nodeName: nodeName, nodeIP: "192.168.50.2", infraImage: "clc-node/pause:3.0", allowPrivileged: true,
        resolveSubPath: { root, subPath in root + "/" + subPath })

    static func run(_ bytes: UnsafeRawBufferPointer) {
        let directory = FuzzScratch.directory + "/manifests"
        _ = FuzzScratch.write(bytes, to: "manifests/fuzz.yaml")
        var scanner = ManifestSource.Scanner(
            directory: directory, expander: ManifestExpander(nodeName: nodeName), allocator: allocator, logger: logger)
        let snapshot = scanner.scan()
        for pod in snapshot.pods {
            build(pod, services: snapshot.services)
        }
    }

    /// What the pod syncer asks of the builder for `pod`: the infra container, then each
    /// container that passed validation, with the services' variables and every volume mounted
    /// from a host directory of its name.
    static func build(_ pod: Pod, services: [Service]) {
        _ = try? builder.infraContainer(pod: pod, attempt: 0)
        let problems = pod.validationErrors()
        var volumes: [String: String] = [:]
        for volume in pod.spec.volumes ?? [] {
            if let name = volume.name { volumes[name] = "/var/lib/clc-node/pods/volumes/\(name)" }
        }
        let environment = ServiceEnvironment.variables(for: services, namespace: pod.metadata.namespace ?? "default")
        for index in pod.spec.containers.indices {
            guard !problems.contains(where: { $0.field.hasPrefix("spec.containers[\(index)].") }) else { continue }
            _ = try? builder.appContainer(
                pod: pod, index: index, restartCount: 1, sandboxID: "sandbox", serviceEnvironment: environment,
                volumeHostPaths: volumes, podIP: "10.77.1.5")
        }
    }
}
