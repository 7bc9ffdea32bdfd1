/// `/proc/meminfo`, the node's memory: what kubelet's root container reports on cgroup v2, where
/// the root cgroup has no `memory.current`.
public enum Meminfo {
    /// The file's `Name: value kB` lines, in bytes.
    public static func parse(_ text: String) -> [String: UInt64] {
        var values: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let fields = line[line.index(after: colon)...].split(separator: " ")
            guard let number = fields.first.flatMap({ UInt64($0) }) else { continue }
            let bytes = fields.count > 1 && fields[1] == "kB" ? number * 1024 : number
            values[String(line[..<colon])] = bytes
        }
        return values
    }

    /// Node memory as runc computes it for the root cgroup: usage = MemTotal − MemFree, working
    /// set = usage − Inactive(file), the limit = MemTotal (so availableBytes = MemTotal − working
    /// set, kubelet's node figure).
    public static func memoryStats(_ text: String) -> MemoryStats? {
        let values = parse(text)
        guard let total = values["MemTotal"], let free = values["MemFree"] else { return nil }
        let usage = total > free ? total - free : 0
        let cache = (values["Cached"] ?? 0) + (values["Buffers"] ?? 0)
        return MemoryStats(
            usageBytes: usage, inactiveFileBytes: values["Inactive(file)"] ?? 0, rssBytes: values["AnonPages"] ?? 0,
            cacheBytes: cache, mappedFileBytes: values["Mapped"] ?? 0,
            swapBytes: (values["SwapTotal"] ?? 0) - min(values["SwapFree"] ?? 0, values["SwapTotal"] ?? 0), limitBytes: total)
    }
}
