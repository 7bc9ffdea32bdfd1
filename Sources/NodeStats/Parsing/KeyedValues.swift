/// A cgroup or procfs file of `key value` lines (`memory.stat`, `cpu.stat`, `cpuacct.stat`,
/// `memory.events`), parsed into unsigned integers. Lines whose value is not a number (or is
/// negative) are left out, so one odd line does not lose the rest.
public struct KeyedValues: Sendable, Equatable {
    public private(set) var values: [String: UInt64] = [:]

    public init(_ values: [String: UInt64]) {
        self.values = values
    }

    /// Parses `text`, one `key value` pair a line, separated by spaces or tabs; with `keys`,
    /// only those keys are kept (the sampler reads a `memory.stat` of 36 lines or more for each
    /// container every 10 s and wants seven of them: the others are never made into strings).
    public init(parsing text: String, keys wanted: [String]? = nil) {
        var text = text
        text.withUTF8 { bytes in
            func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
            var lineStart = 0
            while lineStart < bytes.count {
                let lineEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
                var index = lineStart
                lineStart = lineEnd + 1
                while index < lineEnd, isBlank(bytes[index]) { index += 1 }
                let keyStart = index
                while index < lineEnd, !isBlank(bytes[index]) { index += 1 }
                let key = bytes[keyStart..<index]
                while index < lineEnd, isBlank(bytes[index]) { index += 1 }
                let valueStart = index
                while index < lineEnd, !isBlank(bytes[index]) { index += 1 }
                guard !key.isEmpty, let value = UInt64(decimal: bytes[valueStart..<index]) else { continue }
                if let wanted {
                    guard let name = wanted.first(where: { $0.utf8.elementsEqual(key) }) else { continue }
                    values[name] = value
                } else {
                    values[String(decoding: key, as: UTF8.self)] = value
                }
            }
        }
    }

    public subscript(key: String) -> UInt64? { values[key] }
}

extension UInt64 {
    /// A non-negative decimal in ASCII bytes; nil for anything else (signs, spaces, overflow).
    init?<Bytes: Collection<UInt8>>(decimal bytes: Bytes) {
        guard !bytes.isEmpty else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        self = value
    }

    /// The first line of a single-value file (`memory.current`, `cpuacct.usage`), trimmed.
    init?(singleValue text: String) {
        let line = text.utf8.split(separator: UInt8(ascii: "\n")).first ?? []
        let trimmed = line.split(separator: UInt8(ascii: " ")).first ?? []
        self.init(decimal: trimmed)
    }
}
