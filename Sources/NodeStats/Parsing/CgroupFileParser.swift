/// Turns the text of a cgroup's files into ``CgroupStats``, for cgroup v1 and v2. Pure: the
/// caller hands in a lookup from file name (`memory.stat`, `cpuacct.usage`, …) to its text, nil
/// when the file is missing; ``CgroupDirectory`` does the reading.
public enum CgroupFileParser {
    /// The v1 files the parser asks for (each in its controller's hierarchy).
    public static let v1Files = [
        "cpuacct.usage", "cpuacct.stat", "cpu.stat", "cpu.shares", "cpu.cfs_period_us", "cpu.cfs_quota_us",
        "memory.usage_in_bytes", "memory.limit_in_bytes", "memory.failcnt", "memory.stat", "memory.oom_control",
    ]
    /// The v2 files the parser asks for.
    public static let v2Files = [
        "cpu.stat", "cpu.weight", "cpu.max", "memory.current", "memory.max", "memory.stat", "memory.events", "memory.swap.current",
    ]

    /// The keys of `memory.stat` that the parser reads, v1 and v2.
    static let v1MemoryKeys = [
        "total_inactive_file", "total_rss", "total_cache", "total_mapped_file", "total_swap", "total_pgfault", "total_pgmajfault",
    ]
    static let v2MemoryKeys = ["inactive_file", "anon", "file", "file_mapped", "pgfault", "pgmajfault"]

    /// Nanoseconds per USER_HZ tick of `cpuacct.stat` (USER_HZ is 100 on every Linux ABI).
    static let nanosecondsPerTick: UInt64 = 10_000_000

    /// cgroup v1: cpuacct, cpu and memory controllers.
    public static func v1(_ read: (String) -> String?) -> CgroupStats {
        var stats = CgroupStats()
        if let usage = read("cpuacct.usage").flatMap(UInt64.init(singleValue:)) {
            var cpu = CPUStats(usageNanoseconds: usage)
            if let text = read("cpuacct.stat") {
                let ticks = KeyedValues(parsing: text)
                cpu.userNanoseconds = ticks["user"].map { $0 &* nanosecondsPerTick }
                cpu.systemNanoseconds = ticks["system"].map { $0 &* nanosecondsPerTick }
            }
            if let text = read("cpu.stat") {
                let values = KeyedValues(parsing: text)
                if let periods = values["nr_periods"] {
                    cpu.throttling = CPUThrottling(
                        periods: periods, throttledPeriods: values["nr_throttled"] ?? 0,
                        throttledNanoseconds: values["throttled_time"] ?? 0)
                }
            }
            stats.cpu = cpu
        }
        stats.spec.cpuShares = read("cpu.shares").flatMap(UInt64.init(singleValue:))
        stats.spec.cpuPeriodMicroseconds = read("cpu.cfs_period_us").flatMap(UInt64.init(singleValue:))
        // -1 (no quota) does not parse as unsigned: nil, as wanted.
        stats.spec.cpuQuotaMicroseconds = read("cpu.cfs_quota_us").flatMap(UInt64.init(singleValue:))

        if let usage = read("memory.usage_in_bytes").flatMap(UInt64.init(singleValue:)) {
            let values = KeyedValues(parsing: read("memory.stat") ?? "", keys: v1MemoryKeys)
            let oom = KeyedValues(parsing: read("memory.oom_control") ?? "", keys: ["oom_kill"])
            stats.memory = MemoryStats(
                usageBytes: usage, inactiveFileBytes: values["total_inactive_file"] ?? 0, rssBytes: values["total_rss"] ?? 0,
                cacheBytes: values["total_cache"] ?? 0, mappedFileBytes: values["total_mapped_file"] ?? 0,
                swapBytes: values["total_swap"] ?? 0,
                limitBytes: limit(read("memory.limit_in_bytes").flatMap(UInt64.init(singleValue:))),
                failcnt: read("memory.failcnt").flatMap(UInt64.init(singleValue:)) ?? 0,
                pageFaults: values["total_pgfault"] ?? 0, majorPageFaults: values["total_pgmajfault"] ?? 0,
                oomKills: oom["oom_kill"] ?? 0)
        }
        return stats
    }

    /// cgroup v2: one directory with `cpu.*` and `memory.*` files.
    public static func v2(_ read: (String) -> String?) -> CgroupStats {
        var stats = CgroupStats()
        if let text = read("cpu.stat") {
            let values = KeyedValues(parsing: text)
            if let usage = values["usage_usec"] {
                var cpu = CPUStats(
                    usageNanoseconds: usage &* 1000, userNanoseconds: values["user_usec"].map { $0 &* 1000 },
                    systemNanoseconds: values["system_usec"].map { $0 &* 1000 })
                if let periods = values["nr_periods"] {
                    cpu.throttling = CPUThrottling(
                        periods: periods, throttledPeriods: values["nr_throttled"] ?? 0,
                        throttledNanoseconds: (values["throttled_usec"] ?? 0) &* 1000)
                }
                stats.cpu = cpu
            }
        }
        if let weight = read("cpu.weight").flatMap(UInt64.init(singleValue:)), weight >= 1 {
            // runc's ConvertCPUSharesToCgroupV2Value, inverted as cAdvisor does.
            stats.spec.cpuShares = 2 + ((weight - 1) * 262_142) / 9_999
        }
        if let text = read("cpu.max") {
            let fields = text.split(whereSeparator: \.isWhitespace)
            if fields.count >= 2 {
                stats.spec.cpuQuotaMicroseconds = UInt64(fields[0])  // "max": nil
                stats.spec.cpuPeriodMicroseconds = UInt64(fields[1])
            }
        }
        if let usage = read("memory.current").flatMap(UInt64.init(singleValue:)) {
            let values = KeyedValues(parsing: read("memory.stat") ?? "", keys: v2MemoryKeys)
            let events = KeyedValues(parsing: read("memory.events") ?? "", keys: ["max", "oom_kill"])
            stats.memory = MemoryStats(
                usageBytes: usage, inactiveFileBytes: values["inactive_file"] ?? 0, rssBytes: values["anon"] ?? 0,
                cacheBytes: values["file"] ?? 0, mappedFileBytes: values["file_mapped"] ?? 0,
                swapBytes: read("memory.swap.current").flatMap(UInt64.init(singleValue:)) ?? 0,
                limitBytes: limit(read("memory.max").flatMap(UInt64.init(singleValue:))),  // "max": nil
                failcnt: events["max"] ?? 0, pageFaults: values["pgfault"] ?? 0, majorPageFaults: values["pgmajfault"] ?? 0,
                oomKills: events["oom_kill"] ?? 0)
        }
        return stats
    }

    private static func limit(_ value: UInt64?) -> UInt64? {
        guard let value, value < MemoryStats.unlimitedThreshold else { return nil }
        return value
    }
}
