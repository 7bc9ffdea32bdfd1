/// The node API's paths (kubelet's pkg/kubelet/server/server.go), matched from a request path:
/// a pure function, tested without sockets.
public enum NodeRoute: Sendable, Hashable {
    case healthz
    case pods
    case runningPods
    case containerLogs(namespace: String, pod: String, container: String)
    case statsSummary
    case metrics(MetricsPath)
    /// `/exec`, `/attach` or `/portForward`: served only as an upgrade.
    case streaming(StreamingKind)
    case notFound

    /// The metrics endpoints.
    public enum MetricsPath: String, Sendable, Hashable, CaseIterable {
        case kubelet = "/metrics"
        case cadvisor = "/metrics/cadvisor"
        case resource = "/metrics/resource"
        case probes = "/metrics/probes"
    }

    /// The upgraded endpoints.
    public enum StreamingKind: String, Sendable, Hashable {
        case exec
        case attach
        case portForward
    }

    /// - Parameter path: the request path without query, percent-encoded as sent.
    public init(path: String) {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
            String($0).removingPercentEncodingLeniently
        }
        // A trailing slash leaves an empty last segment; kubelet's mux takes `/pods/` for `/pods`.
        let trimmed = segments.last == "" ? Array(segments.dropLast()) : segments
        switch trimmed.first {
        case "healthz" where trimmed.count == 1: self = .healthz
        case "pods" where trimmed.count == 1: self = .pods
        case "runningpods" where trimmed.count == 1: self = .runningPods
        case "containerLogs" where trimmed.count == 4 && !trimmed.contains(""):
            self = .containerLogs(namespace: trimmed[1], pod: trimmed[2], container: trimmed[3])
        case "stats" where trimmed == ["stats", "summary"]: self = .statsSummary
        case "metrics":
            self = MetricsPath(rawValue: "/" + trimmed.joined(separator: "/")).map { .metrics($0) } ?? .notFound
        case "exec" where (trimmed.count == 4 || trimmed.count == 5) && !trimmed.contains(""): self = .streaming(.exec)
        case "attach" where (trimmed.count == 4 || trimmed.count == 5) && !trimmed.contains(""): self = .streaming(.attach)
        case "portForward" where (trimmed.count == 3 || trimmed.count == 4) && !trimmed.contains(""): self = .streaming(.portForward)
        default: self = .notFound
        }
    }

    /// The methods a route answers; others get 405.
    var methods: Set<String> {
        switch self {
        case .statsSummary: ["GET", "HEAD", "POST"]
        case .streaming: ["GET", "POST"]
        default: ["GET", "HEAD"]
        }
    }
}

extension String {
    /// Percent-decoded, or unchanged when the escapes are malformed.
    var removingPercentEncodingLeniently: String {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        var iterator = Array(utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Query strings as Go's `url.ParseQuery` reads them: `&`-separated, `+` is a space, every value
/// of a repeated key kept in order.
enum QueryParameters {
    static func parse(_ query: String?) -> [String: [String]] {
        guard let query, !query.isEmpty else { return [:] }
        var result: [String: [String]] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(parts[0])
            let value = parts.count > 1 ? decode(parts[1]) : ""
            result[key, default: []].append(value)
        }
        return result
    }

    private static func decode(_ text: Substring) -> String {
        String(text).replacingPlusWithSpace.removingPercentEncodingLeniently
    }
}

extension String {
    fileprivate var replacingPlusWithSpace: String {
        String(map { $0 == "+" ? " " : $0 })
    }
}
