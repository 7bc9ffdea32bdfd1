/// Turns frames into SPDY/3 bytes. Owns the connection's outbound header-compression stream, so
/// one encoder serves one connection and frames must be written in the order they were encoded.
public final class SPDYFrameEncoder {
    /// The largest payload a frame's 24-bit length field can carry.
    public static let maxFrameLength = 0xFF_FFFF

    private let deflater = HeaderDeflater()

    public init() {}

    /// Encodes one frame. A DATA payload beyond 16 MiB - 1 becomes several frames, FIN on the
    /// last.
    public func encode(_ frame: SPDYFrame) -> [UInt8] {
        switch frame {
        case .synStream(let streamID, let associatedStreamID, let priority, let fin, let unidirectional, let headers):
            var body: [UInt8] = []
            body.appendUInt32(streamID & 0x7FFF_FFFF)
            body.appendUInt32(associatedStreamID & 0x7FFF_FFFF)
            body.append((priority & 0x07) << 5)
            body.append(0)  // slot: no client certificates
            body.append(contentsOf: compressedBlock(headers))
            return control(.synStream, flags: (fin ? 0x01 : 0) | (unidirectional ? 0x02 : 0), body)
        case .synReply(let streamID, let fin, let headers):
            var body: [UInt8] = []
            body.appendUInt32(streamID & 0x7FFF_FFFF)
            body.append(contentsOf: compressedBlock(headers))
            return control(.synReply, flags: fin ? 0x01 : 0, body)
        case .rstStream(let streamID, let status):
            var body: [UInt8] = []
            body.appendUInt32(streamID & 0x7FFF_FFFF)
            body.appendUInt32(status.rawValue)
            return control(.rstStream, flags: 0, body)
        case .settings(let clearPersisted, let settings):
            var body: [UInt8] = []
            body.appendUInt32(UInt32(settings.count))
            for setting in settings {
                body.appendUInt32(UInt32(setting.flags) << 24 | setting.id.rawValue)
                body.appendUInt32(setting.value)
            }
            return control(.settings, flags: clearPersisted ? 0x01 : 0, body)
        case .ping(let id):
            var body: [UInt8] = []
            body.appendUInt32(id)
            return control(.ping, flags: 0, body)
        case .goAway(let lastGoodStreamID, let status):
            var body: [UInt8] = []
            body.appendUInt32(lastGoodStreamID & 0x7FFF_FFFF)
            body.appendUInt32(status)
            return control(.goAway, flags: 0, body)
        case .headers(let streamID, let fin, let headers):
            var body: [UInt8] = []
            body.appendUInt32(streamID & 0x7FFF_FFFF)
            body.append(contentsOf: compressedBlock(headers))
            return control(.headers, flags: fin ? 0x01 : 0, body)
        case .windowUpdate(let streamID, let delta):
            var body: [UInt8] = []
            body.appendUInt32(streamID & 0x7FFF_FFFF)
            body.appendUInt32(delta & 0x7FFF_FFFF)
            return control(.windowUpdate, flags: 0, body)
        case .data(let streamID, let fin, let payload):
            var bytes: [UInt8] = []
            bytes.reserveCapacity(payload.count + 8)
            var offset = 0
            repeat {
                let end = min(payload.count, offset + Self.maxFrameLength)
                let last = end == payload.count
                bytes.appendUInt32(streamID & 0x7FFF_FFFF)
                bytes.appendUInt32(UInt32(last && fin ? 0x01 : 0) << 24 | UInt32(end - offset))
                bytes.append(contentsOf: payload[offset..<end])
                offset = end
            } while offset < payload.count
            return bytes
        }
    }

    private func compressedBlock(_ headers: SPDYHeaders) -> [UInt8] {
        deflater.compress(SPDYHeaderBlock.serialize(headers))
    }

    private func control(_ type: SPDYFrameType, flags: UInt8, _ body: [UInt8]) -> [UInt8] {
        // A control frame's header block beyond 16 MiB would need a header of that size; nothing
        // in this project sends one.
        precondition(body.count <= Self.maxFrameLength, "\(type) body of \(body.count) bytes exceeds 24 bits")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(body.count + 8)
        bytes.appendUInt16(0x8000 | 3)  // control bit, version 3
        bytes.appendUInt16(type.controlType!)
        bytes.appendUInt32(UInt32(flags) << 24 | UInt32(body.count))
        bytes.append(contentsOf: body)
        return bytes
    }
}
