/// The channel protocols kubelet speaks on an upgraded connection, and how one is chosen from
/// what the client offers (apimachinery util/httpstream Handshake, wsstream/conn.go).
public enum StreamProtocolVersion: String, Sendable, Hashable, CaseIterable {
    /// WebSocket: adds the CLOSE signal (channel 255) for stdin half-close.
    case v5Channel = "v5.channel.k8s.io"
    /// v4 status JSON on the error channel.
    case v4Channel = "v4.channel.k8s.io"
    case v4Base64Channel = "v4.base64.channel.k8s.io"
    /// SPDY only: resize stream, error text.
    case v3Channel = "v3.channel.k8s.io"
    /// SPDY only: no stderr stream with a terminal.
    case v2Channel = "v2.channel.k8s.io"
    /// The first protocol; also what a WebSocket client that offers none gets.
    case channel = "channel.k8s.io"
    case base64Channel = "base64.channel.k8s.io"
    /// SPDY port-forward.
    case portForward = "portforward.k8s.io"

    /// Exec and attach over WebSocket, most preferred first.
    public static let webSocketRemoteCommand: [StreamProtocolVersion] = [
        .v5Channel, .v4Channel, .v4Base64Channel, .channel, .base64Channel,
    ]
    /// Port-forward over WebSocket.
    public static let webSocketPortForward: [StreamProtocolVersion] = [.v4Channel, .v4Base64Channel]
    /// Exec and attach over SPDY.
    public static let spdyRemoteCommand: [StreamProtocolVersion] = [.v4Channel, .v3Channel, .v2Channel, .channel]
    /// Port-forward over SPDY.
    public static let spdyPortForward: [StreamProtocolVersion] = [.portForward]

    /// WebSocket frames carry base64 text instead of binary.
    public var isBase64: Bool { self == .v4Base64Channel || self == .base64Channel }
    /// The error channel carries a v4 `Status` object rather than plain text.
    public var writesStatusJSON: Bool { self == .v5Channel || self == .v4Channel || self == .v4Base64Channel }
    /// The client can half-close a channel (WebSocket v5).
    public var supportsChannelClose: Bool { self == .v5Channel }
    /// A tty exec gets a resize stream (SPDY v3 and later; every WebSocket protocol has the channel).
    public var supportsResize: Bool { self != .v2Channel && self != .channel }

    /// Picks the first protocol the client offers that the server supports, in the client's
    /// order, as wsstream and httpstream do.
    /// - Parameters:
    ///   - offered: header values as sent; each may be a comma-separated list.
    ///   - supported: the server's protocols for this endpoint and transport.
    ///   - fallback: the choice when the client offers nothing (nil: offering nothing is an error).
    /// - Returns: the chosen protocol.
    /// - Throws: ``StreamRequestError/unsupportedProtocol(offered:supported:)``.
    public static func negotiate(
        offered: [String], supported: [StreamProtocolVersion], fallback: StreamProtocolVersion?
    ) throws(StreamRequestError) -> StreamProtocolVersion {
        let names = offered.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        if names.isEmpty, let fallback { return fallback }
        for name in names {
            if let version = StreamProtocolVersion(rawValue: name), supported.contains(version) { return version }
        }
        throw .unsupportedProtocol(offered: names, supported: supported.map(\.rawValue))
    }
}

import Foundation
