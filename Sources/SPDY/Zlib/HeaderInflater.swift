import CZlib

/// The decompressing half of a connection's header-block zlib stream. The peer's first block
/// starts with a zlib header asking for the SPDY/3 dictionary (inflate answers Z_NEED_DICT);
/// every block ends in a sync flush, so each decompresses completely on its own.
final class HeaderInflater {
    enum Failure: Error {
        case tooLarge
        case zlib(String)
    }

    private let stream: UnsafeMutablePointer<z_stream>

    init() {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = clc_zlib_inflate_init(stream)
        precondition(rc == Z_OK, "inflateInit failed: \(rc)")
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Decompresses one block.
    /// - Throws: `.tooLarge` past `limit` output bytes, `.zlib` when the data is corrupt, asks for
    ///   another dictionary, or ends the zlib stream (SPDY never ends it).
    func decompress(_ block: ArraySlice<UInt8>, limit: Int) throws(Failure) -> [UInt8] {
        var input = Array(block)
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let result: Result<Void, Failure> = input.withUnsafeMutableBufferPointer { inBuffer in
            defer {
                stream.pointee.next_in = nil
                stream.pointee.next_out = nil
            }
            stream.pointee.next_in = inBuffer.baseAddress
            stream.pointee.avail_in = UInt32(inBuffer.count)
            while true {
                var rc: Int32 = Z_OK
                let produced = chunk.withUnsafeMutableBufferPointer { outBuffer -> Int in
                    stream.pointee.next_out = outBuffer.baseAddress
                    stream.pointee.avail_out = UInt32(outBuffer.count)
                    rc = inflate(stream, Z_SYNC_FLUSH)
                    return outBuffer.count - Int(stream.pointee.avail_out)
                }
                output.append(contentsOf: chunk[0..<produced])
                if output.count > limit { return .failure(.tooLarge) }
                switch rc {
                case Z_OK:
                    break
                case Z_NEED_DICT:
                    let dictionaryRC = SPDYHeaderDictionary.bytes.withUnsafeBufferPointer {
                        inflateSetDictionary(stream, $0.baseAddress, UInt32($0.count))
                    }
                    if dictionaryRC != Z_OK {
                        return .failure(.zlib("the stream asks for a dictionary other than SPDY/3's"))
                    }
                case Z_BUF_ERROR:
                    // No progress possible: all input consumed and all output delivered.
                    if stream.pointee.avail_in == 0 { return .success(()) }
                    return .failure(.zlib("inflate made no progress"))
                case Z_STREAM_END:
                    return .failure(.zlib("the peer ended the zlib stream"))
                default:
                    return .failure(.zlib(message(rc)))
                }
                if stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 { return .success(()) }
            }
        }
        try result.get()
        return output
    }

    private func message(_ rc: Int32) -> String {
        if let msg = stream.pointee.msg { return String(cString: msg) }
        return "zlib error \(rc)"
    }
}
