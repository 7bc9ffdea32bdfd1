import KubeAPI

/// A probe's or hook's action, resolved against its container: named ports looked up,
/// defaults applied.
public enum Handler: Sendable, Hashable {
    case exec(command: [String])
    /// `host` nil means the pod's IP.
    case httpGet(scheme: String, host: String?, port: Int, path: String, headers: [String: String])
    case tcpSocket(host: String?, port: Int)

    /// - Parameters:
    ///   - field: the handler's path for messages, e.g. `spec.containers[0].livenessProbe`.
    /// - Throws: ``ProbeConfigError`` naming the container and field.
    public static func resolve(
        exec: ExecAction?, httpGet: HTTPGetAction?, tcpSocket: TCPSocketAction?, container: Container, field: String
    ) throws(ProbeConfigError) -> Handler {
        func fail(_ path: String, _ detail: String) -> ProbeConfigError {
            ProbeConfigError(container: container.name, field: field + path, detail: detail)
        }
        let count = [exec != nil, httpGet != nil, tcpSocket != nil].filter { $0 }.count
        guard count == 1 else { throw fail("", count == 0 ? "must specify a handler type" : "may not specify more than 1 handler type") }
        if let exec {
            guard let command = exec.command, !command.isEmpty else { throw fail(".exec.command", "Required value") }
            return .exec(command: command)
        }
        if let httpGet {
            let port = try resolvePort(httpGet.port, container: container, fail: { fail(".httpGet.port", $0) })
            let scheme = (httpGet.scheme ?? "HTTP").uppercased()
            guard scheme == "HTTP" || scheme == "HTTPS" else { throw fail(".httpGet.scheme", "Unsupported value: \"\(scheme)\"") }
            var headers: [String: String] = [:]
            for (index, header) in (httpGet.httpHeaders ?? []).enumerated() {
                // Validation refuses these too; a pod that skipped it must not forge headers.
                for (part, text) in [("name", header.name), ("value", header.value)] {
                    if let text, HTTPHeaderText.hasLineBreak(text) {
                        throw fail(
                            ".httpGet.httpHeaders[\(index)].\(part)",
                            "Invalid value: \"\(HTTPHeaderText.escaped(text))\": must not contain a carriage return or line feed")
                    }
                }
                if let name = header.name, !name.isEmpty { headers[name] = header.value ?? "" }
            }
            var path = httpGet.path ?? "/"
            if !path.hasPrefix("/") { path = "/" + path }
            let host = httpGet.host.flatMap { $0.isEmpty ? nil : $0 }
            return .httpGet(scheme: scheme.lowercased(), host: host, port: port, path: path, headers: headers)
        }
        let tcp = tcpSocket!
        let port = try resolvePort(tcp.port, container: container, fail: { fail(".tcpSocket.port", $0) })
        return .tcpSocket(host: tcp.host.flatMap { $0.isEmpty ? nil : $0 }, port: port)
    }

    /// A lifecycle hook's handler (postStart, preStop).
    public static func resolve(_ hook: LifecycleHandler, container: Container, field: String) throws(ProbeConfigError) -> Handler {
        try resolve(exec: hook.exec, httpGet: hook.httpGet, tcpSocket: hook.tcpSocket, container: container, field: field)
    }

    /// A probe's handler.
    public static func resolve(_ probe: Probe, container: Container, field: String) throws(ProbeConfigError) -> Handler {
        try resolve(exec: probe.exec, httpGet: probe.httpGet, tcpSocket: probe.tcpSocket, container: container, field: field)
    }

    private static func resolvePort(
        _ port: IntOrString, container: Container, fail: (String) -> ProbeConfigError
    ) throws(ProbeConfigError) -> Int {
        switch port {
        case let .int(number):
            guard (1...65535).contains(number) else { throw fail("Invalid value: \"\(number)\": must be between 1 and 65535") }
            return Int(number)
        case let .string(name):
            if let number = Int(name), (1...65535).contains(number) { return number }
            guard let match = container.ports?.first(where: { $0.name == name }) else {
                throw fail("Invalid value: \"\(name)\": no port named \"\(name)\" in container \(container.name)")
            }
            return Int(match.containerPort)
        }
    }

    /// A short human form for events: `http-get http://:80/healthz`, `exec ["cat", "/tmp/ready"]`.
    public var summary: String {
        switch self {
        case let .exec(command): "exec \(command)"
        case let .httpGet(scheme, host, port, path, _): "http-get \(scheme)://\(host ?? ""):\(port)\(path)"
        case let .tcpSocket(host, port): "tcp-socket \(host ?? ""):\(port)"
        }
    }
}
