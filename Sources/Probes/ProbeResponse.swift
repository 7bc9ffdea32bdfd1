/// Reads an HTTP/1.x response as far as a probe needs it, from the bytes as they arrive: the
/// status of the final response (interim 1xx heads other than 101 are skipped, as Go's client
/// does), then the body up to its end (Content-Length, the last chunk, or the close) or until
/// `maxBodyBytes` of it were read, whichever comes first. The body itself is not kept.
struct ProbeResponse {
    enum Progress: Equatable {
        case needMore
        case complete(status: Int)
        /// The server closed the connection before a response began.
        case closedEarly
        case failed(String)
    }

    /// The most a response head may take: 64 KiB.
    static let maxHeadBytes = 64 * 1024

    private enum Framing {
        case none
        case length(Int)
        case chunked(Chunks)
        case untilClose
    }

    private var head: [UInt8] = []
    private var status: Int?
    private var framing = Framing.untilClose
    private var bodyBytes = 0
    private var outcome: Progress = .needMore
    let maxBodyBytes: Int

    init(maxBodyBytes: Int) { self.maxBodyBytes = maxBodyBytes }

    /// Takes the next bytes read from the connection.
    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> Progress {
        var rest = bytes[...]
        while outcome == .needMore, !rest.isEmpty {
            if status == nil {
                rest = readHead(rest)
            } else {
                rest = readBody(rest)
            }
        }
        return outcome
    }

    /// The connection was closed by the server.
    mutating func end() -> Progress {
        guard outcome == .needMore else { return outcome }
        if let status, case .untilClose = framing {
            outcome = .complete(status: status)
        } else if status == nil, head.isEmpty {
            outcome = .closedEarly
        } else {
            outcome = .failed("unexpected EOF")
        }
        return outcome
    }

    private mutating func readHead(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        // The head ends at the first empty line; look for it across what came before, too.
        let searchFrom = max(0, head.count - 2)
        head.append(contentsOf: bytes)
        guard let (lines, end) = Self.endOfHead(in: head, from: searchFrom), end <= Self.maxHeadBytes else {
            if head.count > Self.maxHeadBytes { outcome = .failed("the response head exceeds \(Self.maxHeadBytes / 1024) KiB") }
            return bytes[bytes.endIndex...]
        }
        let consumed = end - (head.count - bytes.count)
        parseHead(head[..<lines])
        head.removeAll(keepingCapacity: true)
        return bytes[(bytes.startIndex + consumed)...]
    }

    /// The status line and the headers that frame the body, read as bytes; `lines` ends with
    /// the last header line's line end.
    private mutating func parseHead(_ lines: ArraySlice<UInt8>) {
        var rest = lines
        let statusLine = Self.nextLine(&rest)
        guard let code = Self.statusCode(statusLine) else {
            outcome = .failed("malformed HTTP response \"\(String(decoding: statusLine.prefix(100), as: UTF8.self))\"")
            return
        }
        var length: Int?
        var chunked = false
        while !rest.isEmpty {
            let line = Self.nextLine(&rest)
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = line[..<colon]
            let value = Self.trimmed(line[(colon + 1)...])
            if Self.equalsIgnoringCase(name, "content-length") {
                guard let parsed = Self.decimal(value) else {
                    outcome = .failed("bad Content-Length \"\(String(decoding: value.prefix(40), as: UTF8.self))\"")
                    return
                }
                length = parsed
            } else if Self.equalsIgnoringCase(name, "transfer-encoding") {
                chunked = value.count >= 7 && Self.equalsIgnoringCase(value.suffix(7), "chunked")
            }
        }
        if (100..<200).contains(code) && code != 101 { return }  // interim: the final head follows
        status = code
        if code == 204 || code == 304 || (100..<200).contains(code) {
            framing = .none
        } else if chunked {
            framing = .chunked(Chunks())
        } else if let length {
            framing = .length(length)
        } else {
            framing = .untilClose
        }
        if case .none = framing { outcome = .complete(status: code) }
        if case .length(0) = framing { outcome = .complete(status: code) }
    }

    /// `HTTP/1.x NNN[ reason]`'s status code.
    private static func statusCode(_ line: ArraySlice<UInt8>) -> Int? {
        let prefix = Array("HTTP/1.".utf8)
        guard line.count >= 12, line.starts(with: prefix) else { return nil }
        let start = line.startIndex
        guard isDigit(line[start + 7]), line[start + 8] == UInt8(ascii: " ") else { return nil }
        let digits = line[(start + 9)..<(start + 12)]
        guard line.count == 12 || line[start + 12] == UInt8(ascii: " "), let code = decimal(digits), code >= 100 else { return nil }
        return code
    }

    /// The bytes up to the next line end (LF, or CRLF: Go's reader takes either) or the end,
    /// which are consumed with it.
    private static func nextLine(_ rest: inout ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard let lineFeed = rest.firstIndex(of: 10) else {
            defer { rest = rest[rest.endIndex...] }
            return rest
        }
        defer { rest = rest[(lineFeed + 1)...] }
        let line = rest[..<lineFeed]
        return line.last == 13 ? line.dropLast() : line
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var text = bytes
        while let first = text.first, first == 32 || first == 9 { text = text.dropFirst() }
        while let last = text.last, last == 32 || last == 9 { text = text.dropLast() }
        return text
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    /// A non-empty run of decimal digits, up to 18 of them.
    private static func decimal(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18, bytes.allSatisfy(isDigit) else { return nil }
        return bytes.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    /// ASCII case-insensitive equality with a lowercase name.
    private static func equalsIgnoringCase(_ bytes: ArraySlice<UInt8>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        return zip(bytes, UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)).allSatisfy { byte, expected in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 == expected : byte == expected
        }
    }

    private mutating func readBody(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        guard let status else { return bytes }
        switch framing {
        case .none:
            outcome = .complete(status: status)
            return bytes[bytes.endIndex...]
        case let .length(length):
            let taken = min(bytes.count, length - bodyBytes)
            bodyBytes += taken
            if bodyBytes >= length { outcome = .complete(status: status) }
        case .untilClose:
            bodyBytes += bytes.count
        case var .chunked(chunks):
            switch chunks.feed(bytes) {
            case let .data(count):
                bodyBytes += count
            case let .ended(count):
                bodyBytes += count
                outcome = .complete(status: status)
            case let .malformed(reason):
                outcome = .failed(reason)
            }
            framing = .chunked(chunks)
        }
        if bodyBytes >= maxBodyBytes { outcome = .complete(status: status) }
        return bytes[bytes.endIndex...]
    }

    /// Where the head's lines end (after the last header line's LF) and where the head ends
    /// (after the empty line: LF or CRLF), when the empty line is there.
    private static func endOfHead(in bytes: [UInt8], from start: Int) -> (lines: Int, end: Int)? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == 10 {
                if bytes[index + 1] == 10 { return (index + 1, index + 2) }
                if bytes[index + 1] == 13, index + 2 < bytes.count, bytes[index + 2] == 10 { return (index + 1, index + 3) }
            }
            index += 1
        }
        return nil
    }
}

/// The chunked transfer coding, walked byte by byte: `size[;ext] CRLF data CRLF ...`, ending
/// with a zero-size chunk and the trailer section's empty line.
private struct Chunks {
    enum Step {
        case data(Int)
        case ended(Int)
        case malformed(String)
    }

    private enum Phase {
        case size(Int, digits: Int)
        case extensions(Int)
        case sizeLineFeed(Int)
        case data(remaining: Int)
        case dataCR
        case dataLF
        case trailerLineStart
        case trailerLine
        case trailerEndLF
        case trailerLineLF
    }

    private var phase = Phase.size(0, digits: 0)

    mutating func feed(_ bytes: Slice<UnsafeRawBufferPointer>) -> Step {
        var dataBytes = 0
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            switch phase {
            case let .size(size, digits):
                if let digit = Self.hexValue(byte) {
                    guard digits < 15 else { return .malformed("chunk size too large") }
                    phase = .size(size * 16 + digit, digits: digits + 1)
                } else if digits > 0, byte == UInt8(ascii: ";") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                    phase = .extensions(size)
                } else if digits > 0, byte == 13 {
                    phase = .sizeLineFeed(size)
                } else {
                    return .malformed("malformed chunk size")
                }
            case let .extensions(size):
                if byte == 13 { phase = .sizeLineFeed(size) }
            case let .sizeLineFeed(size):
                guard byte == 10 else { return .malformed("malformed chunk size line") }
                phase = size == 0 ? .trailerLineStart : .data(remaining: size)
            case let .data(remaining):
                let taken = min(remaining, bytes.endIndex - index)
                dataBytes += taken
                index += taken
                phase = remaining == taken ? .dataCR : .data(remaining: remaining - taken)
                continue
            case .dataCR:
                guard byte == 13 else { return .malformed("malformed chunk end") }
                phase = .dataLF
            case .dataLF:
                guard byte == 10 else { return .malformed("malformed chunk end") }
                phase = .size(0, digits: 0)
            case .trailerLineStart:
                phase = byte == 13 ? .trailerEndLF : .trailerLine
            case .trailerLine:
                if byte == 13 { phase = .trailerLineLF }
            case .trailerLineLF:
                guard byte == 10 else { return .malformed("malformed trailer") }
                phase = .trailerLineStart
            case .trailerEndLF:
                guard byte == 10 else { return .malformed("malformed trailer") }
                return .ended(dataBytes)
            }
            index += 1
        }
        return .data(dataBytes)
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A")) + 10
        default: nil
        }
    }
}
