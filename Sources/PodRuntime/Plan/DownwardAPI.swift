import Foundation
import KubeAPI

/// What the downward API exposes of a pod: field paths (`metadata.name`, `status.podIP`, ...)
/// and container resources, for environment variables and downwardAPI volume files alike.
public struct DownwardAPI: Sendable {
    public var nodeName: String
    public var nodeIP: String?
    public var podIP: String?
    /// The node's allocatable CPU (millicores) and memory (bytes): what a `limits.*` reference
    /// reads when the container has no limit, as kubelet does.
    public var allocatableMilliCPU: Int64
    public var allocatableMemory: Int64

    public init(
        nodeName: String, nodeIP: String?, podIP: String?,
        allocatableMilliCPU: Int64 = Int64(ProcessInfo.processInfo.activeProcessorCount) * 1000,
        allocatableMemory: Int64 = Int64(clamping: ProcessInfo.processInfo.physicalMemory)
    ) {
        self.nodeName = nodeName
        self.nodeIP = nodeIP
        self.podIP = podIP
        self.allocatableMilliCPU = allocatableMilliCPU
        self.allocatableMemory = allocatableMemory
    }

    /// The value of a field path, or nil for a path the downward API does not have.
    public func fieldValue(_ path: String, pod: Pod) -> String? {
        switch path {
        case "metadata.name": pod.metadata.name ?? ""
        case "metadata.namespace": pod.metadata.namespace ?? "default"
        case "metadata.uid": pod.metadata.uid ?? ""
        case "metadata.labels": Self.formatMap(pod.metadata.labels ?? [:])
        case "metadata.annotations": Self.formatMap(pod.metadata.annotations ?? [:])
        case "spec.nodeName": nodeName
        case "spec.serviceAccountName": pod.spec.serviceAccountName ?? ""
        case "status.hostIP", "status.hostIPs": nodeIP ?? ""
        case "status.podIP", "status.podIPs": podIP ?? ""
        default:
            if let key = Self.mapKey(path, of: "metadata.labels") {
                pod.metadata.labels?[key] ?? ""
            } else if let key = Self.mapKey(path, of: "metadata.annotations") {
                pod.metadata.annotations?[key] ?? ""
            } else {
                nil
            }
        }
    }

    /// kubelet's `ExtractContainerResourceValue`: the limit (the node's allocatable when the
    /// container has none) or request, divided by `divisor` (default 1) and rounded up.
    /// - Returns: nil for a resource the downward API does not have, or a value that does not parse.
    public func resourceValue(_ selector: ResourceFieldSelector, container: Container) -> String? {
        let parts = selector.resource.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[0] == "limits" || parts[0] == "requests" else { return nil }
        let list = parts[0] == "limits" ? container.resources?.limits : container.resources?.requests
        let quantity = list?[parts[1]]
        let divisor = selector.divisor ?? Quantity("1")
        switch parts[1] {
        case "cpu":
            guard let divisorMilli = try? divisor.milliValue(), divisorMilli > 0 else { return nil }
            let milli: Int64
            if let quantity {
                guard let value = try? quantity.milliValue() else { return nil }
                milli = value
            } else {
                milli = parts[0] == "limits" ? allocatableMilliCPU : 0
            }
            return String(Self.ceilingDivide(milli, divisorMilli))
        case "memory", "ephemeral-storage":
            guard let divisorValue = try? divisor.value(), divisorValue > 0 else { return nil }
            let bytes: Int64
            if let quantity {
                guard let value = try? quantity.value() else { return nil }
                bytes = value
            } else {
                bytes = parts[0] == "limits" && parts[1] == "memory" ? allocatableMemory : 0
            }
            return String(Self.ceilingDivide(bytes, divisorValue))
        default:
            return nil
        }
    }

    /// Labels or annotations as a downward API file holds them: `key="value"` lines, sorted,
    /// values quoted as Go's `strconv.Quote`.
    static func formatMap(_ map: [String: String]) -> String {
        map.sorted { $0.key < $1.key }.map { "\($0.key)=\(quote($0.value))" }.joined(separator: "\n")
    }

    static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += String(format: "\\x%02x", scalar.value)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    private static func mapKey(_ path: String, of field: String) -> String? {
        let head = "\(field)['"
        guard path.hasPrefix(head), path.hasSuffix("']"), path.count > head.count + 2 else { return nil }
        return String(path.dropFirst(head.count).dropLast(2))
    }

    private static func ceilingDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        // Not (value + divisor - 1) / divisor: that overflows for values near Int64.max (`7Ei`).
        let quotient = value / divisor
        return value % divisor > 0 ? quotient + 1 : quotient
    }
}
