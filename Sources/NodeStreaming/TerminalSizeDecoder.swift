import Foundation

/// Reads the resize channel: a stream of JSON objects `{"Width":80,"Height":24}`, which may be
/// split across or packed into frames (kubelet decodes it with a json.Decoder on the stream).
struct TerminalSizeDecoder: Sendable {
    private var buffer: [UInt8] = []

    /// Appends `bytes` and returns every size now complete.
    mutating func append(_ bytes: [UInt8]) -> [TerminalSize] {
        buffer += bytes
        var sizes: [TerminalSize] = []
        while let end = objectEnd() {
            let object = Array(buffer[..<end])
            buffer.removeFirst(end)
            struct Size: Decodable {
                var Width: Int?
                var Height: Int?
            }
            if let size = try? JSONDecoder().decode(Size.self, from: Data(object)) {
                sizes.append(TerminalSize(width: size.Width ?? 0, height: size.Height ?? 0))
            }
        }
        return sizes
    }

    /// The index just past the first complete top-level object, dropping leading whitespace.
    private mutating func objectEnd() -> Int? {
        while let first = buffer.first, first != UInt8(ascii: "{") { buffer.removeFirst() }
        var depth = 0
        var inString = false
        var escaped = false
        for (index, byte) in buffer.enumerated() {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "}"):
                depth -= 1
                if depth == 0 { return index + 1 }
            default: break
            }
        }
        return nil
    }
}

/// A terminal's size in characters.
public struct TerminalSize: Sendable, Hashable {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
}
