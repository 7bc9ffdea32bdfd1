/// Writes the Prometheus text format 0.0.4 straight into bytes. cAdvisor's and the resource
/// metrics are snapshots of cgroup counters with the samples' own timestamps, rebuilt whole on
/// every pass, with series that come and go with containers: a registry of live counters
/// (swift-prometheus) has no timestamps and would have to be emptied and refilled each pass, so
/// these are rendered directly.
struct ExpositionWriter {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 64 * 1024) {
        bytes.reserveCapacity(capacity)
    }

    /// `# HELP` and `# TYPE` lines of a family; its samples follow.
    mutating func family(_ name: String, _ type: String, help: String) {
        append("# HELP ")
        append(name)
        append(" ")
        append(help)
        append("\n# TYPE ")
        append(name)
        append(" ")
        append(type)
        append("\n")
    }

    /// One sample: `name{label="value",...} value timestamp`. Labels are written in the order given.
    mutating func sample(_ name: String, labels: [(String, String)] = [], _ value: Double, timestampMilliseconds: Int64? = nil) {
        append(name)
        sampleTail(labels, value, timestampMilliseconds)
    }

    private mutating func sampleTail(_ labels: [(String, String)], _ value: Double, _ timestamp: Int64?) {
        if !labels.isEmpty {
            append("{")
            for (index, (key, labelValue)) in labels.enumerated() {
                if index > 0 { append(",") }
                append(key)
                append("=\"")
                appendEscaped(labelValue)
                append("\"")
            }
            append("}")
        }
        append(" ")
        append(Self.format(value))
        if let timestamp {
            append(" ")
            append(String(timestamp))
        }
        append("\n")
    }

    /// Integers without a fraction (byte counts stay exact up to 2^53), others as Swift prints
    /// them (shortest round-trip form, which Go's ParseFloat reads).
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// Label values escape backslash, double quote and newline.
    private mutating func appendEscaped(_ text: String) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            default: bytes.append(byte)
            }
        }
    }
}
