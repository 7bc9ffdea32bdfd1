/// What a `SPDYServerSession` reports from the bytes it received.
public enum SPDYSessionEvent: Sendable, Equatable {
    /// The client opened a stream (SYN_STREAM). Answer with `reply` (or `reset` to refuse it).
    case streamOpened(streamID: UInt32, headers: SPDYHeaders)
    /// More headers on an open stream (HEADERS).
    case headers(streamID: UInt32, headers: SPDYHeaders)
    /// Data on an open stream, in order.
    case data(streamID: UInt32, payload: [UInt8])
    /// The client finished its side of the stream (FIN): no more data will come on it.
    case remoteFinished(streamID: UInt32)
    /// The stream ended abruptly: the client reset it, or the session reset it because the client
    /// broke the protocol on it (`status` says which rule). The session has forgotten the stream.
    case reset(streamID: UInt32, status: SPDYResetStatus)
    /// The client opens no more streams (GOAWAY); the open ones carry on.
    case goAway(lastGoodStreamID: UInt32, status: UInt32)
}

/// When a `SPDYServerSession` holds back DATA because the peer's flow-control window is shut.
public enum SPDYOutboundFlowControl: Sendable, Equatable {
    /// From the first byte, as SPDY/3.1 says: at most 64 KiB (or the peer's
    /// SETTINGS_INITIAL_WINDOW_SIZE) per stream and 64 KiB per session until WINDOW_UPDATE frames
    /// open the windows again.
    case enforced
    /// Windows are tracked from the first byte, but DATA is held back only once the peer has
    /// shown it does flow control: it sent a WINDOW_UPDATE, or a SETTINGS frame with
    /// INITIAL_WINDOW_SIZE. moby/spdystream (docker/spdystream in kubectl 1.20 and
    /// kube-apiserver) does neither: it ignores windows both ways, so enforcing would stall every
    /// exec after 64 KiB of output.
    case whenPeerUsesIt
}
