import CurlHTTP

/// What `GET /containers/{id}/logs` is asked for.
public struct DockerLogOptions: Sendable, Hashable {
    public var stdout = true
    public var stderr = true
    /// Keep the stream open and send new output until the container stops.
    public var follow = false
    /// Prefix each line with its RFC 3339 time (nanoseconds) and a space.
    public var timestamps = false
    /// Only output after this many seconds since the epoch (fractions allowed).
    public var since: Double?
    /// Only this many lines from the end; every line when nil.
    public var tail: Int?

    public init() {}

    var query: [(String, String)] {
        var items: [(String, String)] = [
            ("stdout", stdout ? "1" : "0"), ("stderr", stderr ? "1" : "0"),
            ("follow", follow ? "1" : "0"), ("timestamps", timestamps ? "1" : "0"),
            ("tail", tail.map(String.init) ?? "all"),
        ]
        if let since { items.append(("since", Self.format(since))) }
        return items
    }

    /// Docker takes `seconds.nanoseconds`.
    private static func format(_ since: Double) -> String {
        let seconds = since.rounded(.down)
        let nanos = Int(((since - seconds) * 1e9).rounded())
        let fraction = String(nanos)
        return "\(Int(seconds)).\(String(repeating: "0", count: max(0, 9 - fraction.count)))\(fraction)"
    }
}

extension DockerClient {
    /// A container's log output as the engine sends it: raw for a TTY container, framed for the
    /// others (split it with ``LogStreamDemultiplexer``). A `follow` stream ends when the
    /// container stops; ending the returned stream cancels the transfer.
    public func containerLogs(id: String, options: DockerLogOptions) -> AsyncThrowingStream<[UInt8], any Error> {
        let (output, continuation) = AsyncThrowingStream.makeStream(of: [UInt8].self)
        let task = Task {
            do {
                let prefix = try await apiPrefix()
                let request = HTTPRequest(path: prefix + "/containers/\(id)/logs" + Self.query(options.query), timeout: nil)
                for try await chunk in slowTransport.stream(request) { continuation.yield(chunk) }
                continuation.finish()
            } catch let HTTPError.status(_, code, body) {
                continuation.finish(
                    throwing: DockerError.http(
                        operation: "logs of \(id.prefix(12))", status: code, message: Self.message(in: Array(body.utf8))))
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return output
    }
}
