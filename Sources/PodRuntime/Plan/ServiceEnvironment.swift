import KubeAPI

/// The variables kubelet gives every container for each service of its namespace with a
/// cluster IP: `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT`, `<NAME>_SERVICE_PORT_<PORTNAME>`, and
/// the Docker-link style `<NAME>_PORT`, `<NAME>_PORT_<port>_<PROTO>{,_PROTO,_PORT,_ADDR}`.
public enum ServiceEnvironment {
    /// - Parameters:
    ///   - services: services visible to the pod; only those in `namespace` (and the master's
    ///     `kubernetes` service in `default`) count, as in kubelet.
    /// - Returns: variables in a stable order (services by name).
    public static func variables(for services: [Service], namespace: String) -> [(String, String)] {
        let visible = services.filter { service in
            let serviceNamespace = service.metadata.namespace ?? "default"
            return serviceNamespace == namespace || (serviceNamespace == "default" && service.metadata.name == "kubernetes")
        }
        var result: [(String, String)] = []
        for service in visible.sorted(by: { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }) {
            guard let ip = service.spec.clusterIP, !ip.isEmpty, ip != "None",
                let ports = service.spec.ports, let first = ports.first, let name = service.metadata.name
            else { continue }
            let prefix = name.uppercased().replacingOccurrences(of: "-", with: "_")
            result.append(("\(prefix)_SERVICE_HOST", ip))
            result.append(("\(prefix)_SERVICE_PORT", String(first.port)))
            for port in ports {
                if let portName = port.name, !portName.isEmpty {
                    let suffix = portName.uppercased().replacingOccurrences(of: "-", with: "_")
                    result.append(("\(prefix)_SERVICE_PORT_\(suffix)", String(port.port)))
                }
            }
            let firstProtocol = (first.protocol ?? "TCP").lowercased()
            result.append(("\(prefix)_PORT", "\(firstProtocol)://\(ip):\(first.port)"))
            for port in ports {
                let proto = (port.protocol ?? "TCP")
                let base = "\(prefix)_PORT_\(port.port)_\(proto.uppercased())"
                result.append((base, "\(proto.lowercased())://\(ip):\(port.port)"))
                result.append(("\(base)_PROTO", proto.lowercased()))
                result.append(("\(base)_PORT", String(port.port)))
                result.append(("\(base)_ADDR", ip))
            }
        }
        return result
    }
}

import Foundation
