// SPDY/3.1 by hand: kubectl, kube-apiserver and kubelet still speak it (through Go's
// moby/spdystream) for exec, attach and port-forward, and no Swift library does (swift-nio never
// shipped SPDY, and this module must stay NIO-free for StreamingProtocol's sake). Facts come from
// the SPDY/3 and 3.1 drafts and spdystream's framer; zlib does the header compression.

/// One SPDY/3 frame, decoded: header blocks are plain `SPDYHeaders` (the codec owns the zlib
/// streams), stream IDs are 31-bit values with the reserved bit cleared.
public enum SPDYFrame: Sendable, Equatable {
    /// Opens a stream. `priority` is 3 bits (0 highest); `unidirectional` means the sender will
    /// not accept data on it.
    case synStream(
        streamID: UInt32, associatedStreamID: UInt32, priority: UInt8, fin: Bool, unidirectional: Bool,
        headers: SPDYHeaders)
    /// Accepts a stream the peer opened.
    case synReply(streamID: UInt32, fin: Bool, headers: SPDYHeaders)
    /// Ends a stream abnormally.
    case rstStream(streamID: UInt32, status: SPDYResetStatus)
    /// Connection settings; `clearPersisted` is FLAG_SETTINGS_CLEAR_SETTINGS.
    case settings(clearPersisted: Bool, [SPDYSetting])
    /// A liveness check; the receiver echoes a ping the peer started.
    case ping(id: UInt32)
    /// The sender takes no new streams after `lastGoodStreamID`; `status` 0 OK, 1 PROTOCOL_ERROR,
    /// 2 INTERNAL_ERROR.
    case goAway(lastGoodStreamID: UInt32, status: UInt32)
    /// More headers on an open stream.
    case headers(streamID: UInt32, fin: Bool, headers: SPDYHeaders)
    /// Grows the sender's receive window of a stream, or of the whole session on stream 0
    /// (SPDY/3.1).
    case windowUpdate(streamID: UInt32, delta: UInt32)
    /// Stream data.
    case data(streamID: UInt32, fin: Bool, payload: [UInt8])
}

/// The kinds of frame, as the wire names them: the 16-bit type of a control frame, or data.
public enum SPDYFrameType: Sendable, Equatable, Hashable, CustomStringConvertible {
    case synStream, synReply, rstStream, settings, ping, goAway, headers, windowUpdate, data
    /// A control frame type this module does not know (the decoder skips those frames).
    case unknown(UInt16)

    /// The control frame type field; nil for data frames.
    public var controlType: UInt16? {
        switch self {
        case .synStream: 1
        case .synReply: 2
        case .rstStream: 3
        case .settings: 4
        case .ping: 6
        case .goAway: 7
        case .headers: 8
        case .windowUpdate: 9
        case .data: nil
        case .unknown(let type): type
        }
    }

    init(controlType: UInt16) {
        switch controlType {
        case 1: self = .synStream
        case 2: self = .synReply
        case 3: self = .rstStream
        case 4: self = .settings
        case 6: self = .ping
        case 7: self = .goAway
        case 8: self = .headers
        case 9: self = .windowUpdate
        default: self = .unknown(controlType)
        }
    }

    public var description: String {
        switch self {
        case .synStream: "SYN_STREAM"
        case .synReply: "SYN_REPLY"
        case .rstStream: "RST_STREAM"
        case .settings: "SETTINGS"
        case .ping: "PING"
        case .goAway: "GOAWAY"
        case .headers: "HEADERS"
        case .windowUpdate: "WINDOW_UPDATE"
        case .data: "DATA"
        case .unknown(let type): "control frame type \(type)"
        }
    }
}

extension SPDYFrame {
    /// The frame's type.
    public var type: SPDYFrameType {
        switch self {
        case .synStream: .synStream
        case .synReply: .synReply
        case .rstStream: .rstStream
        case .settings: .settings
        case .ping: .ping
        case .goAway: .goAway
        case .headers: .headers
        case .windowUpdate: .windowUpdate
        case .data: .data
        }
    }
}

/// The status of a RST_STREAM frame. A struct rather than an enum so that a status this module
/// does not name still decodes.
public struct SPDYResetStatus: RawRepresentable, Sendable, Equatable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let protocolError = SPDYResetStatus(rawValue: 1)
    public static let invalidStream = SPDYResetStatus(rawValue: 2)
    public static let refusedStream = SPDYResetStatus(rawValue: 3)
    public static let unsupportedVersion = SPDYResetStatus(rawValue: 4)
    public static let cancel = SPDYResetStatus(rawValue: 5)
    public static let internalError = SPDYResetStatus(rawValue: 6)
    public static let flowControlError = SPDYResetStatus(rawValue: 7)
    public static let streamInUse = SPDYResetStatus(rawValue: 8)
    public static let streamAlreadyClosed = SPDYResetStatus(rawValue: 9)
    public static let invalidCredentials = SPDYResetStatus(rawValue: 10)
    public static let frameTooLarge = SPDYResetStatus(rawValue: 11)

    public var description: String {
        let names = [
            "PROTOCOL_ERROR", "INVALID_STREAM", "REFUSED_STREAM", "UNSUPPORTED_VERSION", "CANCEL",
            "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "STREAM_IN_USE", "STREAM_ALREADY_CLOSED",
            "INVALID_CREDENTIALS", "FRAME_TOO_LARGE",
        ]
        return (1...names.count).contains(Int(rawValue)) ? names[Int(rawValue) - 1] : "status \(rawValue)"
    }
}

/// One entry of a SETTINGS frame: an 8-bit flags field, a 24-bit ID and a 32-bit value.
public struct SPDYSetting: Sendable, Equatable, Hashable {
    public var id: ID
    public var value: UInt32
    /// FLAG_SETTINGS_PERSIST_VALUE (1) and FLAG_SETTINGS_PERSISTED (2).
    public var flags: UInt8

    public init(id: ID, value: UInt32, flags: UInt8 = 0) {
        self.id = id
        self.value = value
        self.flags = flags
    }

    /// A setting's 24-bit ID.
    public struct ID: RawRepresentable, Sendable, Equatable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue & 0x00FF_FFFF }

        public static let uploadBandwidth = ID(rawValue: 1)
        public static let downloadBandwidth = ID(rawValue: 2)
        public static let roundTripTime = ID(rawValue: 3)
        public static let maxConcurrentStreams = ID(rawValue: 4)
        public static let currentCwnd = ID(rawValue: 5)
        public static let downloadRetransRate = ID(rawValue: 6)
        /// The receive window, in bytes, the sender gives each new stream (default 64 KiB).
        public static let initialWindowSize = ID(rawValue: 7)
        public static let clientCertificateVectorSize = ID(rawValue: 8)
    }
}
