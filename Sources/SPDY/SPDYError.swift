/// What went wrong in a SPDY connection: a frame the decoder rejects (naming the frame type, the
/// stream when there is one, and the field), or a session call that the stream's state forbids.
public enum SPDYError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A control frame of a version other than 3.
    case unsupportedVersion(UInt16, frameType: SPDYFrameType)
    /// A frame longer than the decoder accepts.
    case frameTooLarge(frameType: SPDYFrameType, streamID: UInt32?, length: Int, limit: Int)
    /// A frame field with a value the protocol forbids (a wrong length, stream 0, status 0, ...).
    case invalidFrame(frameType: SPDYFrameType, streamID: UInt32?, field: String, reason: String)
    /// A header block that decompresses to more than the decoder accepts.
    case headerBlockTooLarge(frameType: SPDYFrameType, streamID: UInt32, limit: Int)
    /// zlib rejected a compressed header block (the connection's inflate stream is then unusable).
    case headerCompression(frameType: SPDYFrameType, streamID: UInt32, reason: String)
    /// A decompressed header block that is malformed.
    case invalidHeaderBlock(frameType: SPDYFrameType, streamID: UInt32, field: String, reason: String)
    /// A session call for a stream the session does not have (never opened, or already closed).
    case unknownStream(streamID: UInt32, operation: String)
    /// Data or headers for a stream before its SYN_REPLY (spdystream drops such data).
    case streamNotReplied(streamID: UInt32, operation: String)
    /// A second SYN_REPLY for a stream.
    case streamAlreadyReplied(streamID: UInt32)
    /// A reply header that Go's spdy framer refuses (connection, keep-alive, proxy-connection,
    /// transfer-encoding): the client would drop the whole connection on it.
    case forbiddenHeader(streamID: UInt32, name: String)
    /// A send after this side finished the stream (FIN sent, or the peer opened it unidirectional).
    case streamHalfClosed(streamID: UInt32, operation: String)
    /// The peer's WINDOW_UPDATE frames grew the session's send window past 2^31 - 1.
    case flowControl(streamID: UInt32, reason: String)

    public var description: String {
        func on(_ type: SPDYFrameType, _ streamID: UInt32?) -> String {
            streamID.map { "\(type) on stream \($0)" } ?? "\(type)"
        }
        switch self {
        case .unsupportedVersion(let version, let type):
            return "\(type): unsupported SPDY version \(version) (want 3)"
        case .frameTooLarge(let type, let streamID, let length, let limit):
            return "\(on(type, streamID)): frame length \(length) exceeds the limit of \(limit) bytes"
        case .invalidFrame(let type, let streamID, let field, let reason):
            return "\(on(type, streamID)): field \(field): \(reason)"
        case .headerBlockTooLarge(let type, let streamID, let limit):
            return "\(on(type, streamID)): header block decompresses to more than \(limit) bytes"
        case .headerCompression(let type, let streamID, let reason):
            return "\(on(type, streamID)): header block does not decompress: \(reason)"
        case .invalidHeaderBlock(let type, let streamID, let field, let reason):
            return "\(on(type, streamID)): header block field \(field): \(reason)"
        case .unknownStream(let streamID, let operation):
            return "\(operation): no open stream \(streamID)"
        case .streamNotReplied(let streamID, let operation):
            return "\(operation): stream \(streamID) has no SYN_REPLY yet"
        case .streamAlreadyReplied(let streamID):
            return "reply: stream \(streamID) already has a SYN_REPLY"
        case .forbiddenHeader(let streamID, let name):
            return "reply on stream \(streamID): header \(name) is not allowed in SPDY (the client drops the connection)"
        case .streamHalfClosed(let streamID, let operation):
            return "\(operation): stream \(streamID) is already finished on this side"
        case .flowControl(let streamID, let reason):
            return "flow control on stream \(streamID): \(reason)"
        }
    }
}
