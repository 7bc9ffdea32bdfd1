@testable import Probes

/// A pod's answer to an HTTP probe, as the prober reads it: fed whole, then in pieces whose
/// sizes the first byte chooses, then closed. Both readings must agree: where a response ends
/// and what it says cannot depend on how the bytes arrived.
enum ProbeResponseFuzz {
    static func run(_ bytes: UnsafeRawBufferPointer) {
        guard let first = bytes.first else { return }
        let body = UnsafeRawBufferPointer(rebasing: bytes.dropFirst())
        let piece = Int(first % 64) + 1
        let whole = read(body, pieceSize: max(1, body.count), maxBody: 300)
        let pieces = read(body, pieceSize: piece, maxBody: 300)
        precondition(whole == pieces, "whole: \(whole), in pieces of \(piece): \(pieces)")
    }

    private static func read(_ bytes: UnsafeRawBufferPointer, pieceSize: Int, maxBody: Int) -> ProbeResponse.Progress {
        var response = ProbeResponse(maxBodyBytes: maxBody)
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + pieceSize, bytes.count)
            let progress = response.feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
            if progress != .needMore { return progress }
            offset = end
        }
        return response.end()
    }
}
