import Testing

@testable import SPDY

@Suite("SPDY frame decoder errors")
struct SPDYFrameDecoderErrorTests {
    struct BadInput: Sendable, CustomStringConvertible {
        let name: String
        let bytes: [UInt8]
        let error: SPDYError
        var description: String { name }
    }

    static let cases: [BadInput] = [
        BadInput(
            name: "a SPDY/2 control frame", bytes: hex("8002 0006 00 000004 00000001"),
            error: .unsupportedVersion(2, frameType: .ping)),
        BadInput(
            name: "a RST_STREAM of 12 bytes", bytes: hex("8003 0003 00 00000c 00000001 00000005 00000000"),
            error: .invalidFrame(frameType: .rstStream, streamID: nil, field: "length", reason: "12 bytes, want 8")),
        BadInput(
            name: "a RST_STREAM with status 0", bytes: hex("8003 0003 00 000008 00000003 00000000"),
            error: .invalidFrame(frameType: .rstStream, streamID: 3, field: "status", reason: "0 is not a status")),
        BadInput(
            name: "a RST_STREAM on stream 0", bytes: hex("8003 0003 00 000008 00000000 00000001"),
            error: .invalidFrame(frameType: .rstStream, streamID: 0, field: "stream ID", reason: "0 is not a stream")),
        BadInput(
            name: "a DATA frame on stream 0", bytes: hex("00000000 00 000001 ff"),
            error: .invalidFrame(frameType: .data, streamID: 0, field: "stream ID", reason: "0 is not a stream")),
        BadInput(
            name: "a PING of 8 bytes", bytes: hex("8003 0006 00 000008 00000001 00000002"),
            error: .invalidFrame(frameType: .ping, streamID: nil, field: "length", reason: "8 bytes, want 4")),
        BadInput(
            name: "a SETTINGS frame whose count disagrees with its length",
            bytes: hex("8003 0004 00 00000c 00000002 00000007 00010000"),
            error: .invalidFrame(
                frameType: .settings, streamID: nil, field: "number of entries",
                reason: "2 entries need 20 bytes, frame has 12")),
        BadInput(
            name: "a WINDOW_UPDATE with delta 0", bytes: hex("8003 0009 00 000008 00000001 00000000"),
            error: .invalidFrame(
                frameType: .windowUpdate, streamID: 1, field: "delta window size", reason: "0; must be 1 to 2^31 - 1")),
        BadInput(
            name: "a SYN_STREAM shorter than its fixed fields", bytes: hex("8003 0001 00 000004 00000001"),
            error: .invalidFrame(frameType: .synStream, streamID: nil, field: "length", reason: "4 bytes, want at least 10")),
        BadInput(
            name: "a SYN_REPLY whose header block is not zlib", bytes: hex("8003 0002 00 000008 00000001 01020304"),
            error: .headerCompression(frameType: .synReply, streamID: 1, reason: "incorrect header check")),
        BadInput(
            name: "a SYN_REPLY whose zlib stream ends",
            // zlib.compress(b"\0\0\0\0") from Python: a final block and the Adler-32 trailer.
            bytes: hex("8003 0002 00 000010 00000001 789c63606060000000040001"),
            error: .headerCompression(frameType: .synReply, streamID: 1, reason: "the peer ended the zlib stream")),
        BadInput(
            name: "a SYN_REPLY compressed with another dictionary",
            bytes: hex("8003 0002 00 00000c 00000001 78f9 00000001 0300"),
            error: .headerCompression(
                frameType: .synReply, streamID: 1, reason: "the stream asks for a dictionary other than SPDY/3's")),
    ]

    @Test("bad input is rejected with an error naming the frame type, stream and field", arguments: cases)
    func rejects(_ input: BadInput) {
        #expect(throws: input.error) { try SPDYFrameDecoder().decode(input.bytes) }
    }

    @Test("a frame longer than the cap is rejected from its header alone, before its body arrives")
    func frameTooLarge() {
        let decoder = SPDYFrameDecoder(maxFrameLength: 1024)
        #expect(throws: SPDYError.frameTooLarge(frameType: .data, streamID: 5, length: 1025, limit: 1024)) {
            try decoder.decode(hex("00000005 00 000401"))
        }
    }

    @Test("the default cap takes a frame of 16 MiB - 1, the largest the length field can say")
    func defaultCap() throws {
        let decoder = SPDYFrameDecoder()
        #expect(try decoder.decode(hex("00000001 00 ffffff")) == [])
        #expect(decoder.bufferedByteCount == 8)
    }

    @Test("a header block that decompresses past the cap is rejected")
    func headerBlockTooLarge() {
        var headers = SPDYHeaders()
        headers.append(name: "big", value: String(repeating: "x", count: 5000))
        let bytes = SPDYFrameEncoder().encode(.headers(streamID: 7, fin: false, headers: headers))
        #expect(bytes.count < 200)  // compresses well: the cap is on the decompressed size
        #expect(throws: SPDYError.headerBlockTooLarge(frameType: .headers, streamID: 7, limit: 4096)) {
            try SPDYFrameDecoder(maxHeaderBlockLength: 4096).decode(bytes)
        }
    }

    @Test("malformed header blocks are rejected naming the field", arguments: [
        (hex("00000001 00000001 41 00000000"), "name A", "not lowercase"),
        (hex("00000002 00000001 61 00000000 00000001 61 00000000"), "name a", "appears twice"),
        (hex("00000001 00000000 00000000"), "name of pair 0", "empty"),
        (hex("00000001 00000009 61 00000000"), "name of pair 0", "length 9 runs past the block's end"),
        (hex("00000001 00000001 61 00000000 ff"), "end of block", "1 bytes after the last pair"),
        (hex("00ffffff 00000001 61 00000000"), "number of pairs", "16777215 pairs cannot fit in 9 bytes"),
    ] as [([UInt8], String, String)])
    func malformedBlock(_ block: [UInt8], field: String, reason: String) {
        var frame = hex("8003 0008 00 000000 00000009")
        frame += HeaderDeflater().compress(block)
        let length = frame.count - 8
        frame[6] = UInt8(length >> 8)
        frame[7] = UInt8(length & 0xff)
        #expect(throws: SPDYError.invalidHeaderBlock(frameType: .headers, streamID: 9, field: field, reason: reason)) {
            try SPDYFrameDecoder().decode(frame)
        }
    }

    @Test("after an error the decoder keeps failing with it")
    func staysFailed() {
        let decoder = SPDYFrameDecoder()
        let error = SPDYError.unsupportedVersion(2, frameType: .ping)
        #expect(throws: error) { try decoder.decode(hex("8002 0006 00 000004 00000001")) }
        #expect(throws: error) { try decoder.decode(hex("8003 0006 00 000004 00000001")) }
    }
}
