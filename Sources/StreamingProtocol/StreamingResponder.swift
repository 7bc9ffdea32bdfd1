/// Serves the upgraded requests of the node API: exec, attach and port-forward.
public protocol StreamingResponder: Sendable {
    /// Called before the server writes 101: resolves the pod and container, validates the query
    /// and picks the protocol version.
    func prepare(_ request: StreamingRequest, transport: StreamingTransport) async -> StreamingDecision
}
