import Testing

@testable import SPDY

/// Golden bytes of every frame type, a comment per field. The compressed header blocks come from
/// Python's zlib (`zlib.compressobj(9, DEFLATED, 15, 8, Z_DEFAULT_STRATEGY, zdict=<SPDY/3
/// dictionary>)`, then `compress(block) + flush(Z_SYNC_FLUSH)` per block), not from this module.
@Suite("SPDY frame codec")
struct SPDYFrameCodecTests {
    struct Golden: Sendable, CustomStringConvertible {
        let name: String
        let frame: SPDYFrame
        let bytes: [UInt8]
        var description: String { name }
    }

    static let goldens: [Golden] = [
        Golden(
            name: "RST_STREAM", frame: .rstStream(streamID: 3, status: .cancel),
            bytes: hex(
                """
                8003 | 0003   // control bit + version 3 | type 3 RST_STREAM
                00 | 000008   // flags 0 | length 8
                00000003   // stream ID 3
                00000005   // status 5 CANCEL
                """)),
        Golden(
            name: "SETTINGS",
            frame: .settings(
                clearPersisted: true,
                [SPDYSetting(id: .initialWindowSize, value: 262_144), SPDYSetting(id: .maxConcurrentStreams, value: 100, flags: 1)]),
            bytes: hex(
                """
                8003 | 0004   // control, version 3 | type 4 SETTINGS
                01 | 000014   // flags FLAG_SETTINGS_CLEAR_SETTINGS | length 20
                00000002   // 2 entries
                00 | 000007   // entry flags 0 | ID 7 INITIAL_WINDOW_SIZE
                00040000   // value 262144
                01 | 000004   // entry flags PERSIST_VALUE | ID 4 MAX_CONCURRENT_STREAMS
                00000064   // value 100
                """)),
        Golden(
            name: "PING", frame: .ping(id: 7),
            bytes: hex(
                """
                8003 | 0006   // control, version 3 | type 6 PING
                00 | 000004   // flags 0 | length 4
                00000007   // ping ID 7
                """)),
        Golden(
            name: "GOAWAY", frame: .goAway(lastGoodStreamID: 5, status: 0),
            bytes: hex(
                """
                8003 | 0007   // control, version 3 | type 7 GOAWAY
                00 | 000008   // flags 0 | length 8
                00000005   // last good stream ID 5
                00000000   // status 0 OK
                """)),
        Golden(
            name: "WINDOW_UPDATE on the session", frame: .windowUpdate(streamID: 0, delta: 32_768),
            bytes: hex(
                """
                8003 | 0009   // control, version 3 | type 9 WINDOW_UPDATE
                00 | 000008   // flags 0 | length 8
                00000000   // stream ID 0: the session (SPDY/3.1)
                00008000   // delta 32768
                """)),
        Golden(
            name: "DATA with FIN", frame: .data(streamID: 1, fin: true, payload: Array("hi".utf8)),
            bytes: hex(
                """
                00000001   // control bit 0 | stream ID 1
                01 | 000002   // flags FLAG_FIN | length 2
                6869   // "hi"
                """)),
        Golden(
            name: "empty DATA without FIN", frame: .data(streamID: 0x7FFF_FFFF, fin: false, payload: []),
            bytes: hex(
                """
                7fffffff   // control bit 0 | stream ID 2^31 - 1
                00 | 000000   // flags 0 | length 0
                """)),
    ]

    @Test("each frame type encodes to its golden bytes and decodes back", arguments: goldens)
    func golden(_ golden: Golden) throws {
        #expect(hexString(SPDYFrameEncoder().encode(golden.frame)) == hexString(golden.bytes))
        #expect(try SPDYFrameDecoder().decode(golden.bytes) == [golden.frame])
    }

    @Test("a SYN_REPLY's header block matches Python zlib's bytes for the same block, and the next block continues the stream")
    func synReplyGolden() throws {
        let encoder = SPDYFrameEncoder()
        let first = encoder.encode(.synReply(streamID: 1, fin: false, headers: ["streamType": "error"]))
        #expect(
            hexString(first)
                == hexString(
                    hex(
                        """
                        8003 | 0002   // control, version 3 | type 2 SYN_REPLY
                        00 | 000022   // flags 0 | length 34
                        00000001   // stream ID 1
                        78f9   // zlib header: deflate, 32 KiB window, level 9, FDICT
                        e3c6a7c2   // DICTID: Adler-32 of the SPDY/3 dictionary
                        02a62346703a2b294a4dcc851625aca9a08006 000000ffff   // deflate data + sync flush
                        """)))
        // Plain block: 1 pair | 10 "streamtype" | 6 "stdout"; no zlib header, same stream.
        let second = encoder.encode(.headers(streamID: 1, fin: true, headers: ["streamtype": "stdout"]))
        #expect(
            hexString(second)
                == hexString(
                    hex(
                        """
                        8003 | 0008   // control, version 3 | type 8 HEADERS
                        01 | 000013   // flags FLAG_FIN | length 19
                        00000001   // stream ID 1
                        c22a054ccc29f9a52500000000ffff   // deflate data (back-references into block 1) + sync flush
                        """)))
        let decoder = SPDYFrameDecoder()
        #expect(
            try decoder.decode(first + second) == [
                .synReply(streamID: 1, fin: false, headers: ["streamtype": "error"]),
                .headers(streamID: 1, fin: true, headers: ["streamtype": "stdout"]),
            ])
    }

    @Test("a SYN_STREAM encodes priority in the top 3 bits, the flags, and a zero slot")
    func synStreamLayout() throws {
        let bytes = SPDYFrameEncoder().encode(
            .synStream(
                streamID: 5, associatedStreamID: 3, priority: 2, fin: true, unidirectional: true,
                headers: ["streamtype": "error"]))
        #expect(
            hexString(Array(bytes.prefix(18)))
                == hexString(
                    hex(
                        """
                        8003 | 0001   // control, version 3 | type 1 SYN_STREAM
                        03 | 000028   // flags FIN | UNIDIRECTIONAL | length 40
                        00000005   // stream ID 5
                        00000003   // associated-to stream ID 3
                        40 | 00   // priority 2 << 5 | slot 0
                        """)))
        #expect(
            hexString(Array(bytes.dropFirst(18)))
                == "78f9e3c6a7c202a62346703a2b294a4dcc851625aca9a08006000000ffff")
    }

    @Test("blocks compressed by another implementation decode (node-spdy's parser test vectors)")
    func foreignBlocks() throws {
        // SYN_STREAM, stream 1, with :method GET and :path / among its headers.
        let synStream = try SPDYFrameDecoder().decode(
            hex(
                "800300010000002c0000000100000000000078f9e3c6a7c202e50e507ab442a45a77d7105006b32a4804974d8cfa00000000ffff"))
        guard case .synStream(let id, _, _, let fin, _, let headers) = synStream.first else {
            Issue.record("not a SYN_STREAM: \(synStream)")
            return
        }
        #expect(id == 1 && !fin)
        #expect(headers[":method"] == "GET" && headers[":path"] == "/")
        // SYN_REPLY whose block is a stored (uncompressed) deflate block with a 2 KiB window.
        let synReply = try SPDYFrameDecoder().decode(
            hex(
                """
                8003000200000057000000013830e3c6a7c2004300bcff00000003000000057468657265000000057468657265
                000000073a73746174757300000006323030204f4b000000083a76657273696f6e00000008485454502f312e31000000ffff
                """))
        #expect(
            synReply == [
                .synReply(
                    streamID: 1, fin: false,
                    headers: ["there": "there", ":status": "200 OK", ":version": "HTTP/1.1"])
            ])
    }

    @Test("repeated names travel as one NUL-joined entry and come back as separate values")
    func multipleValues() throws {
        let headers: SPDYHeaders = ["a": "1", "b": "2", "A": "3", "c": ""]
        #expect(
            hexString(SPDYHeaderBlock.serialize(headers))
                == hexString(
                    hex(
                        """
                        00000003   // 3 names
                        00000001 61 00000003 31 00 33   // "a" | "1\\03"
                        00000001 62 00000001 32   // "b" | "2"
                        00000001 63 00000000   // "c" | ""
                        """)))
        let decoded = try SPDYFrameDecoder().decode(
            SPDYFrameEncoder().encode(.synReply(streamID: 1, fin: false, headers: headers)))
        #expect(decoded == [.synReply(streamID: 1, fin: false, headers: ["a": "1", "a": "3", "b": "2", "c": ""])])
    }

    @Test("a stream of every frame type decodes the same fed one byte at a time")
    func byteAtATime() throws {
        let frames: [SPDYFrame] = [
            .synStream(
                streamID: 1, associatedStreamID: 0, priority: 0, fin: false, unidirectional: false,
                headers: ["streamtype": "error"]),
            .synStream(
                streamID: 3, associatedStreamID: 0, priority: 7, fin: true, unidirectional: false,
                headers: ["streamtype": "stdin", "port": "8080", "requestid": "0"]),
            .synReply(streamID: 1, fin: false, headers: [:]),
            .headers(streamID: 3, fin: false, headers: ["x": "y"]),
            .data(streamID: 3, fin: false, payload: Array(0..<200)),
            .data(streamID: 3, fin: true, payload: []),
            .windowUpdate(streamID: 0, delta: 1),
            .windowUpdate(streamID: 3, delta: 0x7FFF_FFFF),
            .settings(clearPersisted: false, [SPDYSetting(id: .initialWindowSize, value: 1 << 20)]),
            .ping(id: 1),
            .rstStream(streamID: 3, status: .protocolError),
            .goAway(lastGoodStreamID: 3, status: 2),
        ]
        let encoder = SPDYFrameEncoder()
        let bytes = frames.flatMap { encoder.encode($0) }
        let decoder = SPDYFrameDecoder()
        var decoded: [SPDYFrame] = []
        for byte in bytes { decoded += try decoder.decode([byte]) }
        #expect(decoded == frames)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test("a DATA payload beyond 16 MiB - 1 is split into frames with FIN on the last")
    func oversizedData() throws {
        let payload = [UInt8](repeating: 7, count: SPDYFrameEncoder.maxFrameLength + 10)
        let bytes = SPDYFrameEncoder().encode(.data(streamID: 1, fin: true, payload: payload))
        let decoded = try SPDYFrameDecoder().decode(bytes)
        #expect(decoded.count == 2)
        #expect(decoded.last == .data(streamID: 1, fin: true, payload: [UInt8](repeating: 7, count: 10)))
        if case .data(_, let fin, let first) = decoded.first {
            #expect(!fin && first.count == SPDYFrameEncoder.maxFrameLength)
        }
    }

    @Test("control frames of unknown types are skipped")
    func unknownControlFrame() throws {
        let decoded = try SPDYFrameDecoder().decode(
            hex("8003 000a 00 000004 deadbeef") + hex("8003 0006 00 000004 00000009"))
        #expect(decoded == [.ping(id: 9)])
    }
}
