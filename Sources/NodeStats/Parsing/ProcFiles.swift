import Foundation

/// Small procfs files the node's figures come from.
public enum ProcFiles {
    /// `/proc/stat` `btime`: when the node booted.
    public static func bootTime(stat text: String) -> Date? {
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return UInt64(line.dropFirst(6).trimmingSpaces).map { Date(timeIntervalSince1970: TimeInterval($0)) }
        }
        return nil
    }

    /// `/proc/stat`'s `cpu` line as node CPU, for hosts whose root cgroup has no CPU accounting:
    /// user + nice + system + irq + softirq + steal ticks (not idle, not iowait), 10 ms each.
    public static func cpu(stat text: String) -> CPUStats? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let ticks = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard ticks.count >= 8 else { return nil }
        let user = ticks[0] + ticks[1]
        let system = ticks[2] + ticks[5] + ticks[6]
        let busy = user + system + ticks[7]
        let tick = CgroupFileParser.nanosecondsPerTick
        return CPUStats(usageNanoseconds: busy * tick, userNanoseconds: user * tick, systemNanoseconds: system * tick)
    }

    /// `/proc/loadavg`'s fourth field `running/total`: the tasks that exist (kubelet's
    /// `rlimit.curproc` counts them, threads included, as sysinfo's `procs` does).
    public static func taskCount(loadavg text: String) -> UInt64? {
        let fields = text.split(separator: " ")
        guard fields.count >= 4, let slash = fields[3].firstIndex(of: "/") else { return nil }
        return UInt64(fields[3][fields[3].index(after: slash)...])
    }
}
