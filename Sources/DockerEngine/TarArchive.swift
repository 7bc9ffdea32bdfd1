/// Writes ustar archives in memory: enough to hand a small root filesystem to `docker import`.
public struct TarArchive: Sendable {
    private(set) var bytes: [UInt8] = []

    public init() {}

    /// Adds a directory entry.
    public mutating func addDirectory(_ path: String, mode: Int = 0o755) {
        appendHeader(path: path.hasSuffix("/") ? path : path + "/", size: 0, mode: mode, type: UInt8(ascii: "5"))
    }

    /// Adds a regular file.
    public mutating func addFile(_ path: String, contents: [UInt8], mode: Int = 0o644) {
        appendHeader(path: path, size: contents.count, mode: mode, type: UInt8(ascii: "0"))
        bytes.append(contentsOf: contents)
        let padding = (512 - contents.count % 512) % 512
        bytes.append(contentsOf: repeatElement(0, count: padding))
    }

    /// The archive, closed with two zero blocks.
    public func finished() -> [UInt8] {
        bytes + [UInt8](repeating: 0, count: 1024)
    }

    private mutating func appendHeader(path: String, size: Int, mode: Int, type: UInt8) {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, length: Int) {
            for (index, byte) in text.utf8.prefix(length).enumerated() { header[offset + index] = byte }
        }
        func octal(_ value: Int, width: Int) -> String {
            let digits = String(value, radix: 8)
            return String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits
        }
        precondition(path.utf8.count <= 100, "tar path longer than 100 bytes: \(path)")
        put(path, at: 0, length: 100)
        put(octal(mode, width: 8), at: 100, length: 7)
        put(octal(0, width: 8), at: 108, length: 7)
        put(octal(0, width: 8), at: 116, length: 7)
        put(octal(size, width: 12), at: 124, length: 11)
        put(octal(0, width: 12), at: 136, length: 11)
        header[156] = type
        put("ustar", at: 257, length: 6)
        put("00", at: 263, length: 2)
        put("root", at: 265, length: 32)
        put("root", at: 297, length: 32)
        // The checksum is computed with its own field read as spaces.
        for index in 148..<156 { header[index] = UInt8(ascii: " ") }
        let sum = header.reduce(0) { $0 + Int($1) }
        put(octal(sum, width: 7) + "\0 ", at: 148, length: 8)
        bytes.append(contentsOf: header)
    }
}
