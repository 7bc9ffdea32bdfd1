extension Service {
    /// The API server's default `--service-node-port-range`.
    public static let defaultNodePortRange: ClosedRange<Int32> = 30000...32767

    /// What the API server would refuse in this service's ports, worded as its validation:
    /// port and targetPort numbers in range, protocols TCP/UDP/SCTP, names required and unique
    /// when there is more than one port, `port`+`protocol` unique, nodePorts only on NodePort
    /// and LoadBalancer services, inside `nodePortRange` and unique with their protocol.
    /// The cluster IP's range is the allocator's concern (it knows the service range).
    /// - Parameter nodePortRange: the node's `--service-node-port-range`.
    public func validationErrors(nodePortRange: ClosedRange<Int32> = Service.defaultNodePortRange) -> [FieldError] {
        var errors: [FieldError] = []
        let type = spec.type ?? "ClusterIP"
        let supportedTypes = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]
        if !supportedTypes.contains(type) {
            errors.append(FieldError(field: "spec.type", value: type, detail: "supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"", kind: .notSupported))
        }
        let ports = spec.ports ?? []
        var seenPorts = Set<String>()
        var seenNodePorts = Set<String>()
        var seenNames = Set<String>()
        for (index, port) in ports.enumerated() {
            let field = "spec.ports[\(index)]"
            let proto = port.protocol ?? "TCP"
            if ports.count > 1 {
                if let name = port.name, !name.isEmpty {
                    if !seenNames.insert(name).inserted {
                        errors.append(FieldError(field: "\(field).name", value: name, kind: .duplicate))
                    }
                } else {
                    errors.append(FieldError(field: "\(field).name", kind: .required))
                }
            }
            if !["TCP", "UDP", "SCTP"].contains(proto) {
                errors.append(FieldError(field: "\(field).protocol", value: proto, detail: "supported values: \"SCTP\", \"TCP\", \"UDP\"", kind: .notSupported))
            }
            if !(1...65535).contains(port.port) {
                errors.append(FieldError(field: "\(field).port", value: String(port.port), detail: "must be between 1 and 65535, inclusive"))
            } else if !seenPorts.insert("\(port.port)/\(proto)").inserted {
                errors.append(FieldError(field: "\(field)", value: "\(port.port)/\(proto)", kind: .duplicate))
            }
            if case .int(let target)? = port.targetPort, !(0...65535).contains(target) {
                errors.append(FieldError(field: "\(field).targetPort", value: String(target), detail: "must be between 1 and 65535, inclusive"))
            }
            guard let nodePort = port.nodePort, nodePort != 0 else { continue }
            if type != "NodePort" && type != "LoadBalancer" {
                errors.append(FieldError(field: "\(field).nodePort", value: String(nodePort), detail: "may not be used when `type` is '\(type)'", kind: .forbidden))
            } else if !nodePortRange.contains(nodePort) {
                errors.append(FieldError(
                    field: "\(field).nodePort", value: String(nodePort),
                    detail: "provided port is not in the valid range. The range of valid ports is \(nodePortRange.lowerBound)-\(nodePortRange.upperBound)"))
            } else if !seenNodePorts.insert("\(nodePort)/\(proto)").inserted {
                errors.append(FieldError(field: "\(field).nodePort", value: String(nodePort), kind: .duplicate))
            }
        }
        return errors
    }
}

/// A ClosedRange of node ports from text such as `30000-32767` (the API server's flag).
public enum NodePortRange {
    /// - Returns: nil when `text` is not `first-last` with 1 ≤ first ≤ last ≤ 65535.
    public static func parse(_ text: String) -> ClosedRange<Int32>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let first = Int32(parts[0]), let last = Int32(parts[1]), 1 <= first, first <= last, last <= 65535
        else { return nil }
        return first...last
    }
}
