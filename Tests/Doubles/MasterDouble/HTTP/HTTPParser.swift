import Foundation

/// Incremental parsing of requests from a connection's byte stream.
enum HTTPParser {
    enum Outcome {
        case request(HTTPRequestMessage, consumed: Int)
        case needMore
        case malformed(String)
    }

    static let maximumHeaderBytes = 1 << 20

    static func parse(_ buffer: [UInt8]) -> Outcome {
        guard let headerEnd = find([13, 10, 13, 10], in: buffer) else {
            return buffer.count > maximumHeaderBytes ? .malformed("request header too large") : .needMore
        }
        let head = String(decoding: buffer[0..<headerEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else {
            return .malformed("malformed request line")
        }
        var headers: [String: String] = [:]
        var fields: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { return .malformed("malformed header line") }
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            fields.append((name, value))
            let key = name.lowercased()
            headers[key] = headers[key].map { "\($0), \(value)" } ?? value
        }
        let bodyStart = headerEnd + 4
        var body: [UInt8] = []
        var consumed = bodyStart
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            var cursor = bodyStart
            while true {
                guard let lineEnd = find([13, 10], in: buffer, from: cursor) else { return .needMore }
                let sizeText = String(decoding: buffer[cursor..<lineEnd], as: UTF8.self)
                    .split(separator: ";").first.map(String.init) ?? ""
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                    return .malformed("malformed chunk size")
                }
                cursor = lineEnd + 2
                if size == 0 {
                    guard let trailerEnd = find([13, 10], in: buffer, from: cursor) else { return .needMore }
                    consumed = trailerEnd + 2
                    break
                }
                guard buffer.count >= cursor + size + 2 else { return .needMore }
                body.append(contentsOf: buffer[cursor..<cursor + size])
                cursor += size + 2
            }
        } else if let lengthText = headers["content-length"] {
            guard let length = Int(lengthText), length >= 0 else { return .malformed("malformed Content-Length") }
            guard buffer.count >= bodyStart + length else { return .needMore }
            body = Array(buffer[bodyStart..<bodyStart + length])
            consumed = bodyStart + length
        }
        let target = String(requestLine[1])
        let pathPart: Substring
        var query: [String: String] = [:]
        if let mark = target.firstIndex(of: "?") {
            pathPart = target[..<mark]
            for pair in target[target.index(after: mark)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = percentDecoded(parts[0])
                query[key] = parts.count > 1 ? percentDecoded(parts[1]) : ""
            }
        } else {
            pathPart = Substring(target)
        }
        let request = HTTPRequestMessage(
            method: String(requestLine[0]).uppercased(), target: target, path: percentDecoded(pathPart, plusIsSpace: false),
            query: query, headers: headers, body: body, headerFields: fields)
        return .request(request, consumed: consumed)
    }

    static func percentDecoded(_ text: Substring, plusIsSpace: Bool = true) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else if plusIsSpace, byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        guard haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], Array(haystack[index..<index + needle.count]) == needle { return index }
            index += 1
        }
        return nil
    }
}
