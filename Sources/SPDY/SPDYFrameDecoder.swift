/// Turns SPDY/3 bytes into frames, incrementally: bytes may arrive in any pieces, and a frame is
/// returned once all of it is there. Owns the connection's inbound header-decompression stream.
///
/// After an error the decoder is spent (the zlib stream or the framing is lost): every later call
/// throws the same error, and the connection should end (GOAWAY, close).
public final class SPDYFrameDecoder {
    /// The default cap of a frame's length: 16 MiB, which the 24-bit length field cannot exceed.
    public static let defaultMaxFrameLength = 16 << 20
    /// The default cap of a decompressed header block: 1 MiB.
    public static let defaultMaxHeaderBlockLength = 1 << 20

    private let maxFrameLength: Int
    private let maxHeaderBlockLength: Int
    private let inflater = HeaderInflater()
    private var buffer: [UInt8] = []
    private var start = 0
    private var failure: SPDYError?

    /// - Parameters:
    ///   - maxFrameLength: frames longer than this (after the 8-byte header) are rejected.
    ///   - maxHeaderBlockLength: header blocks that decompress to more than this are rejected.
    public init(
        maxFrameLength: Int = SPDYFrameDecoder.defaultMaxFrameLength,
        maxHeaderBlockLength: Int = SPDYFrameDecoder.defaultMaxHeaderBlockLength
    ) {
        self.maxFrameLength = maxFrameLength
        self.maxHeaderBlockLength = maxHeaderBlockLength
    }

    /// The bytes received that do not make a whole frame yet.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Adds `bytes` and returns every frame now complete, in order. Control frames of unknown
    /// types (SPDY/3's CREDENTIAL among them) are skipped, as the protocol asks.
    /// - Throws: `SPDYError` naming the frame type, stream and field of the first bad frame.
    public func decode(_ bytes: [UInt8]) throws(SPDYError) -> [SPDYFrame] {
        if let failure { throw failure }
        buffer.append(contentsOf: bytes)
        var frames: [SPDYFrame] = []
        do {
            while let frame = try next() {
                if let frame { frames.append(frame) }
            }
        } catch {
            failure = error
            throw error
        }
        compact()
        return frames
    }

    /// The next frame: nil when incomplete, .some(nil) for a frame that was skipped.
    private func next() throws(SPDYError) -> SPDYFrame?? {
        let available = buffer.count - start
        guard available >= 8 else { return nil }
        let b = start
        let isControl = buffer[b] & 0x80 != 0
        let flags = buffer[b + 4]
        let length = Int(buffer[b + 5]) << 16 | Int(buffer[b + 6]) << 8 | Int(buffer[b + 7])
        let streamID: UInt32? = isControl ? nil : UInt32(buffer[b] & 0x7F) << 24 | UInt32(buffer[b + 1]) << 16
            | UInt32(buffer[b + 2]) << 8 | UInt32(buffer[b + 3])
        let type: SPDYFrameType =
            isControl ? SPDYFrameType(controlType: UInt16(buffer[b + 2]) << 8 | UInt16(buffer[b + 3])) : .data
        if isControl {
            let version = UInt16(buffer[b] & 0x7F) << 8 | UInt16(buffer[b + 1])
            guard version == 3 else { throw .unsupportedVersion(version, frameType: type) }
        }
        guard length <= maxFrameLength else {
            throw .frameTooLarge(frameType: type, streamID: streamID, length: length, limit: maxFrameLength)
        }
        guard available >= 8 + length else { return nil }
        let body = buffer[(b + 8)..<(b + 8 + length)]
        start += 8 + length
        if let streamID {
            guard streamID != 0 else {
                throw .invalidFrame(frameType: .data, streamID: 0, field: "stream ID", reason: "0 is not a stream")
            }
            return .some(.data(streamID: streamID, fin: flags & 0x01 != 0, payload: Array(body)))
        }
        return .some(try controlFrame(type, flags: flags, body: body))
    }

    private func controlFrame(_ type: SPDYFrameType, flags: UInt8, body: ArraySlice<UInt8>) throws(SPDYError) -> SPDYFrame? {
        var reader = ByteReader(body)
        func invalid(_ streamID: UInt32?, _ field: String, _ reason: String) -> SPDYError {
            .invalidFrame(frameType: type, streamID: streamID, field: field, reason: reason)
        }
        func exactLength(_ expected: Int, _ streamID: UInt32?) throws(SPDYError) {
            guard body.count == expected else {
                throw invalid(streamID, "length", "\(body.count) bytes, want \(expected)")
            }
        }
        func minimumLength(_ minimum: Int) throws(SPDYError) {
            guard body.count >= minimum else {
                throw invalid(nil, "length", "\(body.count) bytes, want at least \(minimum)")
            }
        }
        func streamID(_ field: String = "stream ID") throws(SPDYError) -> UInt32 {
            let id = reader.readUInt32()! & 0x7FFF_FFFF
            guard id != 0 else { throw invalid(0, field, "0 is not a stream") }
            return id
        }
        switch type {
        case .synStream:
            try minimumLength(10)
            let id = try streamID()
            let associated = reader.readUInt32()! & 0x7FFF_FFFF
            let priority = reader.readUInt8()! >> 5
            _ = reader.readUInt8()  // slot
            let headers = try headerBlock(type, streamID: id, reader.readRest())
            return .synStream(
                streamID: id, associatedStreamID: associated, priority: priority, fin: flags & 0x01 != 0,
                unidirectional: flags & 0x02 != 0, headers: headers)
        case .synReply, .headers:
            try minimumLength(4)
            let id = try streamID()
            let headers = try headerBlock(type, streamID: id, reader.readRest())
            return type == .synReply
                ? .synReply(streamID: id, fin: flags & 0x01 != 0, headers: headers)
                : .headers(streamID: id, fin: flags & 0x01 != 0, headers: headers)
        case .rstStream:
            try exactLength(8, nil)
            let id = try streamID()
            let status = reader.readUInt32()!
            guard status != 0 else { throw invalid(id, "status", "0 is not a status") }
            return .rstStream(streamID: id, status: SPDYResetStatus(rawValue: status))
        case .settings:
            try minimumLength(4)
            let count = reader.readUInt32()!
            guard Int(count) == reader.remaining / 8, reader.remaining % 8 == 0 else {
                throw invalid(nil, "number of entries", "\(count) entries need \(4 + 8 * Int(count)) bytes, frame has \(body.count)")
            }
            var settings: [SPDYSetting] = []
            for _ in 0..<count {
                let flagsAndID = reader.readUInt32()!
                let value = reader.readUInt32()!
                settings.append(
                    SPDYSetting(id: .init(rawValue: flagsAndID & 0xFF_FFFF), value: value, flags: UInt8(flagsAndID >> 24)))
            }
            return .settings(clearPersisted: flags & 0x01 != 0, settings)
        case .ping:
            try exactLength(4, nil)
            return .ping(id: reader.readUInt32()!)
        case .goAway:
            try exactLength(8, nil)
            let lastGood = reader.readUInt32()! & 0x7FFF_FFFF
            return .goAway(lastGoodStreamID: lastGood, status: reader.readUInt32()!)
        case .windowUpdate:
            try exactLength(8, nil)
            let id = reader.readUInt32()! & 0x7FFF_FFFF  // 0 is the session (SPDY/3.1)
            let delta = reader.readUInt32()! & 0x7FFF_FFFF
            guard delta != 0 else { throw invalid(id, "delta window size", "0; must be 1 to 2^31 - 1") }
            return .windowUpdate(streamID: id, delta: delta)
        case .data, .unknown:
            return nil
        }
    }

    private func headerBlock(_ type: SPDYFrameType, streamID: UInt32, _ compressed: ArraySlice<UInt8>) throws(SPDYError) -> SPDYHeaders {
        let plain: [UInt8]
        do {
            plain = try inflater.decompress(compressed, limit: maxHeaderBlockLength)
        } catch {
            switch error {
            case .tooLarge:
                throw .headerBlockTooLarge(frameType: type, streamID: streamID, limit: maxHeaderBlockLength)
            case .zlib(let reason):
                throw .headerCompression(frameType: type, streamID: streamID, reason: reason)
            }
        }
        return try SPDYHeaderBlock.parse(plain, frameType: type, streamID: streamID)
    }

    /// Drops consumed bytes once they make up most of the buffer, so appends stay amortised O(1).
    private func compact() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
            start = 0
        } else if start > 64 * 1024 && start > buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
    }
}
