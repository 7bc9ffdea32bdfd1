import Foundation
import KubeAPI
import PodRuntime

/// Resource quantities as the agent uses them. The input is one quantity, or two separated by
/// a newline (a limit and a request or divisor): each is parsed (whole and thousandths),
/// compared (with itself: equal whenever it parses), decoded as a JSON string or number, and
/// set as a container's cpu and memory limit and request with downward API variables, whose
/// Docker create request is then built as the pod syncer builds it.
enum QuantityFuzz {
    static func run(_ bytes: UnsafeRawBufferPointer) {
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        let quantity = Quantity(String(parts[0]))
        let other = Quantity(parts.count > 1 ? String(parts[1]) : "1")
        for each in [quantity, other] {
            _ = try? each.value()
            _ = try? each.milliValue()
            _ = each.isNegative
            _ = each.isZero
            if let ordering = try? each.compare(to: each) {
                precondition(ordering == .orderedSame, "quantity \(each.text) differs from itself")
            }
        }
        _ = try? quantity.compare(to: other)
        _ = try? JSONDecoder().decode(Quantity.self, from: Data(bytes))

        let environment = [
            EnvVar(name: "CPU_LIMIT", valueFrom: EnvVarSource(resourceFieldRef: ResourceFieldSelector(resource: "limits.cpu", divisor: other))),
            EnvVar(name: "CPU_REQUEST", valueFrom: EnvVarSource(resourceFieldRef: ResourceFieldSelector(resource: "requests.cpu", divisor: other))),
            EnvVar(name: "MEMORY_LIMIT", valueFrom: EnvVarSource(resourceFieldRef: ResourceFieldSelector(resource: "limits.memory", divisor: other))),
            EnvVar(
                name: "MEMORY_REQUEST", valueFrom: EnvVarSource(resourceFieldRef: ResourceFieldSelector(resource: "requests.memory", divisor: other))),
        ]
        let limited = Container(
            name: "limited", image: "redis", env: environment,
            resources: ResourceRequirements(limits: ["cpu": quantity, "memory": quantity], requests: ["cpu": other, "memory": other]))
        let requested = Container(
            name: "requested", image: "redis", env: environment,
            resources: ResourceRequirements(requests: ["cpu": quantity, "memory": quantity]))
        let pod = Pod(
            apiVersion: "v1", kind: "Pod", metadata: ObjectMeta(name: "quantity", namespace: "default", uid: "fuzz"),
            spec: PodSpec(containers: [limited, requested]))
        ManifestFuzz.build(pod.withDefaults(), services: [])
    }
}
