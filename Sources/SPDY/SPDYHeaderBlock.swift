/// The uncompressed name/value header block of SPDY/3: a 32-bit count, then per name a 32-bit
/// length and the lowercase name, a 32-bit length and the value (several values joined by NUL).
enum SPDYHeaderBlock {
    /// Serialises `headers`, one entry per name in the order names first appear.
    static func serialize(_ headers: SPDYHeaders) -> [UInt8] {
        var names: [String] = []
        var values: [String: [String]] = [:]
        for field in headers.fields {
            if values[field.name] == nil { names.append(field.name) }
            values[field.name, default: []].append(field.value)
        }
        var bytes: [UInt8] = []
        bytes.appendUInt32(UInt32(names.count))
        for name in names {
            let nameBytes = Array(name.utf8)
            bytes.appendUInt32(UInt32(nameBytes.count))
            bytes.append(contentsOf: nameBytes)
            let valueBytes = Array(values[name]!.joined(separator: "\0").utf8)
            bytes.appendUInt32(UInt32(valueBytes.count))
            bytes.append(contentsOf: valueBytes)
        }
        return bytes
    }

    /// Parses a decompressed block.
    /// - Throws: `.invalidHeaderBlock` naming the field: truncated lengths, an empty, uppercase
    ///   or repeated name, bytes after the last entry.
    static func parse(_ bytes: [UInt8], frameType: SPDYFrameType, streamID: UInt32) throws(SPDYError) -> SPDYHeaders {
        var reader = ByteReader(bytes[...])
        func fail(_ field: String, _ reason: String) -> SPDYError {
            .invalidHeaderBlock(frameType: frameType, streamID: streamID, field: field, reason: reason)
        }
        guard let count = reader.readUInt32() else {
            throw fail("number of pairs", "block of \(bytes.count) bytes is shorter than its 4-byte count")
        }
        // Each pair takes at least 8 bytes, so a count beyond that is a lie (and no reason to
        // reserve memory for it).
        guard Int(count) <= reader.remaining / 8 else {
            throw fail("number of pairs", "\(count) pairs cannot fit in \(reader.remaining) bytes")
        }
        var headers = SPDYHeaders()
        var seen = Set<String>()
        for index in 0..<Int(count) {
            guard let nameLength = reader.readUInt32() else { throw fail("name length of pair \(index)", "truncated") }
            guard let nameBytes = reader.read(Int(nameLength)) else {
                throw fail("name of pair \(index)", "length \(nameLength) runs past the block's end")
            }
            guard !nameBytes.isEmpty else { throw fail("name of pair \(index)", "empty") }
            guard let name = String(validating: nameBytes, as: UTF8.self) else {
                throw fail("name of pair \(index)", "not UTF-8")
            }
            guard name == name.lowercased() else { throw fail("name \(name)", "not lowercase") }
            guard seen.insert(name).inserted else { throw fail("name \(name)", "appears twice") }
            guard let valueLength = reader.readUInt32() else { throw fail("value length of \(name)", "truncated") }
            guard let valueBytes = reader.read(Int(valueLength)) else {
                throw fail("value of \(name)", "length \(valueLength) runs past the block's end")
            }
            guard let value = String(validating: valueBytes, as: UTF8.self) else {
                throw fail("value of \(name)", "not UTF-8")
            }
            for part in value.split(separator: "\0", omittingEmptySubsequences: false) {
                headers.append(name: name, value: String(part))
            }
        }
        guard reader.remaining == 0 else { throw fail("end of block", "\(reader.remaining) bytes after the last pair") }
        return headers
    }
}

/// Big-endian reads from a slice, returning nil when the bytes run out.
struct ByteReader {
    private var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    var remaining: Int { bytes.count }

    mutating func readUInt8() -> UInt8? {
        guard let byte = bytes.first else { return nil }
        bytes = bytes.dropFirst()
        return byte
    }

    mutating func readUInt32() -> UInt32? {
        guard bytes.count >= 4 else { return nil }
        let start = bytes.startIndex
        let value =
            UInt32(bytes[start]) << 24 | UInt32(bytes[start + 1]) << 16 | UInt32(bytes[start + 2]) << 8
            | UInt32(bytes[start + 3])
        bytes = bytes.dropFirst(4)
        return value
    }

    mutating func read(_ count: Int) -> ArraySlice<UInt8>? {
        guard count <= bytes.count else { return nil }
        let part = bytes.prefix(count)
        bytes = bytes.dropFirst(count)
        return part
    }

    mutating func readRest() -> ArraySlice<UInt8> {
        defer { bytes = bytes.suffix(0) }
        return bytes
    }
}

extension Array where Element == UInt8 {
    mutating func appendUInt32(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value >> 24))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendUInt16(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }
}
