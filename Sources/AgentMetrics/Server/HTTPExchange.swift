import Logging

/// Serves one connection: reads a request head within the request timeout, answers, closes.
/// Whatever a client sends or fails to send ends here as a response or a closed connection.
struct HTTPExchange: Sendable {
    var routes: MetricsRoutes
    var requestTimeout: Duration
    var maximumHeadBytes: Int
    var logger: Logger

    /// How long the closing waits for a client to hang up after the response, reading what it
    /// still sends, and how much it reads at most.
    static let lingerTimeout = Duration.milliseconds(250)
    static let lingerBytes = 65_536

    func serve(_ client: ClientSocket) {
        client.setTimeout(requestTimeout)
        let deadline = ContinuousClock.now + requestTimeout
        var buffer: [UInt8] = []
        let response: HTTPResponseMessage
        reading: while true {
            switch HTTPRequestHead.parse(buffer, limit: maximumHeadBytes) {
            case .complete(let head):
                response = routes.response(to: head)
                break reading
            case .malformed(let status, let reason):
                logger.debug("bad metrics request", metadata: ["http.status": "\(status)", "reason": "\(reason)"])
                response = MetricsRoutes.malformed(status: status, reason: reason)
                break reading
            case .incomplete:
                let outcome =
                    ContinuousClock.now < deadline
                    ? client.receive(into: &buffer, maximum: maximumHeadBytes + 1 - buffer.count) : .timedOut
                switch outcome {
                case .bytes:
                    continue
                case .timedOut where !buffer.isEmpty:
                    logger.debug("metrics request incomplete after \(requestTimeout)")
                    response = MetricsRoutes.malformed(status: 408, reason: "request incomplete after \(requestTimeout)")
                    break reading
                case .timedOut, .closed, .failed:
                    // A client that connected and said nothing, or left: nobody to answer.
                    return
                }
            }
        }
        guard client.send(response.serialized()) else { return }
        linger(client)
    }

    /// Half-closes, then reads until the client hangs up: closing with unread request bytes
    /// would reset the connection and could discard the response before the client reads it.
    private func linger(_ client: ClientSocket) {
        client.shutdownWrite()
        client.setTimeout(Self.lingerTimeout)
        let deadline = ContinuousClock.now + Self.lingerTimeout
        var discarded: [UInt8] = []
        while ContinuousClock.now < deadline, discarded.count < Self.lingerBytes {
            guard case .bytes = client.receive(into: &discarded, maximum: Self.lingerBytes) else { return }
        }
    }
}
