/// The HTTP exchanges the API clients need, behind a protocol so that clients can be tested
/// against canned answers.
public protocol HTTPTransport: Sendable {
    /// Sends a request and returns the whole response, whatever its status.
    /// - Throws: ``HTTPError`` when no response arrived.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse

    /// Sends a request whose response body is a long-lived stream and yields its bytes as they
    /// arrive. Ends when the peer closes; fails with ``HTTPError/status(request:code:body:)`` when
    /// the status is not 2xx. Cancelling the consuming task aborts the transfer.
    func stream(_ request: HTTPRequest) -> AsyncThrowingStream<[UInt8], any Error>
}
