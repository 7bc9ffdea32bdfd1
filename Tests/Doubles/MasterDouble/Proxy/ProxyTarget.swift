import Foundation

/// A request the double relays to a node instead of answering itself.
enum ProxyTarget: Sendable, Equatable {
    /// `/api/v1/namespaces/{ns}/pods/{name}/{log|exec|attach|portforward}`
    case pod(namespace: String, name: String, subresource: PodSubresource)
    /// `/api/v1/nodes/{name}/proxy[/{path}]`
    case node(name: String, path: String)

    enum PodSubresource: String, Sendable {
        case log, exec, attach, portforward

        /// The verb kube-apiserver's request log gives it.
        var resourceLabel: String { "pods/\(rawValue)" }
    }

    /// Recognises a proxied path; nil for anything else.
    static func parse(_ path: String) -> ProxyTarget? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard parts.count >= 4, parts[0] == "api", parts[1] == "v1" else { return nil }
        if parts.count == 7, parts[2] == "namespaces", parts[4] == "pods", let sub = PodSubresource(rawValue: parts[6]) {
            return .pod(namespace: parts[3], name: parts[5], subresource: sub)
        }
        if parts[2] == "nodes", parts.count >= 5, parts[4] == "proxy" {
            // Keep the rest as sent (a trailing slash matters to some node paths).
            let prefix = "/api/v1/nodes/\(parts[3])/proxy"
            var rest = ""
            if let range = path.range(of: prefix) { rest = String(path[range.upperBound...]) }
            return .node(name: parts[3], path: rest.isEmpty ? "/" : rest)
        }
        return nil
    }

    var resourceLabel: String {
        switch self {
        case .pod(_, _, let sub): sub.resourceLabel
        case .node: "nodes/proxy"
        }
    }
}

/// The raw query of a request target as ordered (name, value) pairs, percent-decoded; repeated
/// names (`command=`) are kept.
enum RawQuery {
    static func parse(_ target: String) -> [(String, String)] {
        guard let mark = target.firstIndex(of: "?") else { return [] }
        return target[target.index(after: mark)...].split(separator: "&").map { pair in
            let pieces = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            return (decode(pieces[0]), pieces.count > 1 ? decode(pieces[1]) : "")
        }
    }
}

/// Why a proxied request cannot go to a node: answered with a Status like kube-apiserver's.
struct ProxyProblem: Error, Equatable {
    var code: Int
    var reason: String
    var message: String
}

/// Where on the node a pod subresource goes (kube-apiserver's pkg/registry/core/pod/strategy.go
/// LogLocation, ExecLocation, AttachLocation, PortForwardLocation).
enum NodeLocation {
    /// The node's path and query for a pod subresource.
    /// - Parameters:
    ///   - containers: The pod's container names, in order (the default when only one).
    ///   - query: The client's query.
    static func podPath(
        _ subresource: ProxyTarget.PodSubresource, namespace: String, pod: String, containers: [String], query: [(String, String)]
    ) throws(ProxyProblem) -> String {
        let escapedNamespace = escape(namespace)
        let escapedPod = escape(pod)
        if subresource == .portforward {
            // The client's `ports` (repeated or comma-separated) become the node's `port`.
            let ports = query.filter { $0.0 == "ports" }.map(\.1)
            return "/portForward/\(escapedNamespace)/\(escapedPod)" + encode(ports.map { ("port", $0) })
        }
        let container = try containerName(query.last { $0.0 == "container" }?.1, containers: containers, pod: pod)
        let base = "/\(escapedNamespace)/\(escapedPod)/\(escape(container))"
        switch subresource {
        case .log:
            let names = ["follow", "previous", "timestamps", "sinceSeconds", "sinceTime", "tailLines", "limitBytes", "stream"]
            let kept = query.filter { names.contains($0.0) }
            return "/containerLogs" + base + encode(kept)
        case .exec, .attach:
            var items: [(String, String)] = []
            if subresource == .exec {
                items = query.filter { $0.0 == "command" }
                guard !items.isEmpty else {
                    throw ProxyProblem(code: 400, reason: "BadRequest", message: "you must specify at least 1 command")
                }
            }
            // Each stream flag only when true, as "1".
            for flag in ["stdin", "stdout", "stderr", "tty"] where isTrue(query.last { $0.0 == flag }?.1) {
                items.append((flag, "1"))
            }
            return "/\(subresource.rawValue)" + base + encode(items)
        case .portforward:
            return ""
        }
    }

    /// The container asked for, else the pod's only one.
    static func containerName(_ asked: String?, containers: [String], pod: String) throws(ProxyProblem) -> String {
        if let asked, !asked.isEmpty {
            guard containers.contains(asked) else {
                throw ProxyProblem(code: 400, reason: "BadRequest", message: "container \(asked) is not valid for pod \(pod)")
            }
            return asked
        }
        guard containers.count == 1, let only = containers.first else {
            throw ProxyProblem(
                code: 400, reason: "BadRequest",
                message: "a container name must be specified for pod \(pod), choose one of: [\(containers.joined(separator: " "))]")
        }
        return only
    }

    /// The base URL of a node's kubelet: the first address of the first preferred type, and the
    /// port its status advertises (10250 when it does not).
    static func nodeBaseURL(addresses: [(type: String, address: String)], port: Int?, preferredTypes: [String], node: String) throws(ProxyProblem)
        -> String
    {
        for type in preferredTypes {
            if let found = addresses.first(where: { $0.type == type }) {
                let host = found.address.contains(":") ? "[\(found.address)]" : found.address
                return "https://\(host):\(port.flatMap { $0 > 0 ? $0 : nil } ?? 10250)"
            }
        }
        throw ProxyProblem(
            code: 500, reason: "InternalError",
            message: "no preferred addresses found; known addresses: \(addresses.map { "{\($0.type) \($0.address)}" }) (node \(node))")
    }

    static func isTrue(_ value: String?) -> Bool {
        guard let value else { return false }
        return value == "1" || value.lowercased() == "true"
    }

    static func escape(_ segment: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
    }

    static func encode(_ items: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let parts = items.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }
}
