/// kubelet's two limits on a streaming connection (cri/streaming/server.go DefaultConfig).
public struct StreamingTimeouts: Sendable, Hashable {
    /// How long the client may take to open every stream it needs (SPDY) before the request
    /// ends: 30 s.
    public var streamCreation: Duration
    /// How long a connection may pass no byte either way before it is closed: 4 h.
    public var idle: Duration

    public init(streamCreation: Duration = .seconds(30), idle: Duration = .seconds(4 * 3600)) {
        self.streamCreation = streamCreation
        self.idle = idle
    }

    /// kubelet's defaults.
    public static let kubelet = StreamingTimeouts()
}
