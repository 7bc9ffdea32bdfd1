import CZlib

/// The compressing half of a connection's header-block zlib stream (one per direction, for the
/// whole connection): primed with the SPDY/3 dictionary, level 9 like Go's spdy framer, and
/// flushed with Z_SYNC_FLUSH after every block so the peer can decode each frame on arrival.
final class HeaderDeflater {
    private let stream: UnsafeMutablePointer<z_stream>

    init() {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = clc_zlib_deflate_init(stream, Z_BEST_COMPRESSION)
        // Only Z_MEM_ERROR or a zlib/header mismatch can fail here; neither is recoverable.
        precondition(rc == Z_OK, "deflateInit2 failed: \(rc)")
        let dictionaryRC = SPDYHeaderDictionary.bytes.withUnsafeBufferPointer {
            deflateSetDictionary(stream, $0.baseAddress, UInt32($0.count))
        }
        precondition(dictionaryRC == Z_OK, "deflateSetDictionary failed: \(dictionaryRC)")
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses one header block and sync-flushes it.
    func compress(_ block: [UInt8]) -> [UInt8] {
        var input = block
        var output: [UInt8] = []
        output.reserveCapacity(block.count / 2 + 64)
        var chunk = [UInt8](repeating: 0, count: 4096)
        input.withUnsafeMutableBufferPointer { inBuffer in
            stream.pointee.next_in = inBuffer.baseAddress
            stream.pointee.avail_in = UInt32(inBuffer.count)
            repeat {
                let produced = chunk.withUnsafeMutableBufferPointer { outBuffer -> Int in
                    stream.pointee.next_out = outBuffer.baseAddress
                    stream.pointee.avail_out = UInt32(outBuffer.count)
                    // Z_OK, or Z_BUF_ERROR when a call had nothing left to do: both fine here.
                    _ = deflate(stream, Z_SYNC_FLUSH)
                    return outBuffer.count - Int(stream.pointee.avail_out)
                }
                output.append(contentsOf: chunk[0..<produced])
            } while stream.pointee.avail_out == 0
            stream.pointee.next_in = nil
            stream.pointee.next_out = nil
        }
        return output
    }
}
