import Foundation
import StreamingProtocol

/// kubelet's WebSocket channel framing (apimachinery util/httpstream/wsstream/conn.go): binary
/// frames start with the channel byte; base64 protocols send text frames that start with the
/// channel as an ASCII digit, the payload base64-encoded; v5 adds `[255, channel]` to close a
/// channel.
struct WebSocketChannelCodec: Sendable {
    let version: StreamProtocolVersion

    enum Frame: Sendable, Hashable {
        case data(channel: UInt8, [UInt8])
        case close(channel: UInt8)
    }

    func encode(channel: UInt8, _ payload: [UInt8]) -> WebSocketMessage {
        if version.isBase64 {
            return .text(String(UnicodeScalar(UInt8(ascii: "0") + channel)) + Data(payload).base64EncodedString())
        }
        return .binary([channel] + payload)
    }

    /// nil for an empty or undecodable message (kubelet ignores those).
    func decode(_ message: WebSocketMessage) -> Frame? {
        switch message {
        case .binary(let bytes):
            guard let channel = bytes.first else { return nil }
            if channel == 255, version.supportsChannelClose {
                guard bytes.count >= 2 else { return nil }
                return .close(channel: bytes[1])
            }
            if version.isBase64 { return nil }
            return .data(channel: channel, Array(bytes.dropFirst()))
        case .text(let text):
            var utf8 = Array(text.utf8)
            guard version.isBase64, let first = utf8.first, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else {
                return nil
            }
            utf8.removeFirst()
            guard let payload = Data(base64Encoded: Data(utf8)) else { return nil }
            return .data(channel: first - UInt8(ascii: "0"), Array(payload))
        }
    }
}
