/// A cgroup or procfs file of `key value` lines (`memory.stat`, `cpu.stat`, `cpuacct.stat`,
/// `memory.events`), parsed into unsigned integers. Lines whose value is not a number (or is
/// negative) are left out, so one odd line does not lose the rest.
public struct KeyedValues: Sendable, Equatable {
    public private(set) var values: [String: UInt64] = [:]

    public init(_ values: [String: UInt64]) {
        self.values = values
    }

    /// Parses `text`, one `key value` pair a line, separated by spaces or tabs.
    public init(parsing text: String) {
        for line in text.utf8.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            guard fields.count >= 2, let value = UInt64(decimal: fields[1]) else { continue }
            values[String(decoding: fields[0], as: UTF8.self)] = value
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
