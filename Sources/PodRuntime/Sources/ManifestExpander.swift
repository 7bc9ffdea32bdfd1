import Foundation
import KubeAPI

/// Turns the objects of one manifest file into the node's pods and services, as kubelet does for
/// static pods (name `<name>-<node>`, a UID from node, file and content) and, beyond kubelet,
/// for replication controllers (`replicas` copies of the template with stable generated names).
/// Pure: the same file on the same node always gives the same pods.
public struct ManifestExpander: Sendable {
    public var nodeName: String
    /// The NodePorts a service may ask for (`--service-node-port-range`).
    public var nodePortRange: ClosedRange<Int32>
    /// The node's pod capacity (its status' `pods`, kubelet's maxPods): a replication controller
    /// asking for more replicas is refused naming `spec.replicas`, instead of expanding into
    /// pods the node could never run (or memory it does not have).
    public var maxPods: Int

    public init(nodeName: String, nodePortRange: ClosedRange<Int32> = Service.defaultNodePortRange, maxPods: Int = NodeCapacity.defaultMaxPods) {
        self.nodeName = nodeName
        self.nodePortRange = nodePortRange
        self.maxPods = maxPods
    }

    public struct Result: Sendable {
        public var pods: [Pod] = []
        public var services: [Service] = []
        /// Objects that were rejected, each described with its name and fields.
        public var problems: [String] = []
    }

    public func expand(_ objects: [KubeObject], path: String) -> Result {
        var result = Result()
        for object in objects { add(object, path: path, into: &result) }
        return result
    }

    private func add(_ object: KubeObject, path: String, into result: inout Result) {
        switch object {
        case let .pod(pod):
            var pod = pod.withDefaults()
            let original = pod.metadata.name ?? ""
            // kubelet's generatePodName: the node name lowercased, as object names must be.
            pod.metadata.name = "\(original)-\(nodeName.lowercased())"
            pod.metadata.uid = StableHash.uid(nodeName, path, Self.canonical(pod))
            annotate(&pod, path: path)
            accept(pod, into: &result)
        case let .replicationController(controller):
            let controller = controller.withDefaults()
            let name = controller.metadata.name ?? ""
            guard let template = controller.newPod() else {
                result.problems.append("replicationcontroller \(name): spec.template: Required value")
                return
            }
            let replicas = Int(controller.spec.replicas ?? 1)
            guard replicas >= 0 else {
                result.problems.append("replicationcontroller \(name): spec.replicas: Invalid value: \"\(replicas)\": must be greater than or equal to 0")
                return
            }
            guard replicas <= maxPods else {
                result.problems.append(
                    "replicationcontroller \(name): spec.replicas: Invalid value: \"\(replicas)\": must be at most the node's pod capacity (\(maxPods))")
                return
            }
            let content = Self.canonical(controller)
            for index in 0..<replicas {
                var pod = template
                // The name the master would generate, stable per node, file and replica.
                pod.metadata.name = "\(name)-\(StableHash.nameSuffix(nodeName, path, name, String(index)))"
                pod.metadata.uid = StableHash.uid(nodeName, path, content, String(index))
                if pod.metadata.labels == nil { pod.metadata.labels = controller.spec.selector }
                pod = pod.withDefaults()
                annotate(&pod, path: path)
                accept(pod, into: &result)
            }
        case let .service(service):
            var service = service.withDefaults()
            if service.metadata.namespace == nil { service.metadata.namespace = "default" }
            // As the API server would: a nodePort 22 never reaches the proxy.
            let errors = service.validationErrors(nodePortRange: nodePortRange)
            guard errors.isEmpty else {
                let problems = errors.map(\.description).joined(separator: "; ")
                result.problems.append("service \(service.metadata.namespace ?? "default")/\(service.metadata.name ?? ""): \(problems)")
                return
            }
            result.services.append(service)
        case let .list(items):
            for item in items { add(item, path: path, into: &result) }
        case .endpoints, .other:
            break
        }
    }

    /// `kubernetes.io/config.hash`: the UID of a pod read from a file.
    public static let configHashAnnotation = "kubernetes.io/config.hash"

    private func annotate(_ pod: inout Pod, path: String) {
        var annotations = pod.metadata.annotations ?? [:]
        annotations["kubernetes.io/config.source"] = "file"
        annotations["kubernetes.io/config.source.path"] = path
        // kubelet's config.hash is the static pod's UID; the mirror pod on the master carries it
        // as kubernetes.io/config.mirror, so that an edited manifest (a new UID) replaces it.
        annotations[Self.configHashAnnotation] = pod.metadata.uid
        pod.metadata.annotations = annotations
        pod.spec.nodeName = nodeName
    }

    /// Pod-level problems reject the pod; problems inside one container are reported by that
    /// container (CreateContainerConfigError) while the rest of the pod runs.
    private func accept(_ pod: Pod, into result: inout Result) {
        let podLevel = pod.validationErrors().filter { !$0.field.hasPrefix("spec.containers[") }
        if podLevel.isEmpty {
            result.pods.append(pod)
        } else {
            result.problems.append(describe(podLevel, pod: pod))
        }
    }

    static func canonical<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}
