/// Memory use of a cgroup (or of the node) at one moment, in bytes.
public struct MemoryStats: Sendable, Equatable {
    /// v2 `memory.current`, v1 `memory.usage_in_bytes` (page cache included).
    public var usageBytes: UInt64
    /// v2 `inactive_file`, v1 `total_inactive_file`: cache the kernel reclaims first.
    public var inactiveFileBytes: UInt64
    /// v2 `anon`, v1 `total_rss`.
    public var rssBytes: UInt64
    /// v2 `file`, v1 `total_cache`.
    public var cacheBytes: UInt64
    /// v2 `file_mapped`, v1 `total_mapped_file`.
    public var mappedFileBytes: UInt64
    /// v2 `memory.swap.current`, v1 `total_swap`; 0 when there is no swap accounting.
    public var swapBytes: UInt64
    /// The limit; nil when unlimited (above 2^62, as cAdvisor treats "max" and v1's huge value).
    public var limitBytes: UInt64?
    /// v1 `memory.failcnt`, v2 `memory.events` `max`.
    public var failcnt: UInt64
    public var pageFaults: UInt64
    public var majorPageFaults: UInt64
    /// v1 `memory.oom_control` `oom_kill`, v2 `memory.events` `oom_kill`.
    public var oomKills: UInt64

    public init(
        usageBytes: UInt64, inactiveFileBytes: UInt64 = 0, rssBytes: UInt64 = 0, cacheBytes: UInt64 = 0, mappedFileBytes: UInt64 = 0,
        swapBytes: UInt64 = 0, limitBytes: UInt64? = nil, failcnt: UInt64 = 0, pageFaults: UInt64 = 0, majorPageFaults: UInt64 = 0,
        oomKills: UInt64 = 0
    ) {
        self.usageBytes = usageBytes
        self.inactiveFileBytes = inactiveFileBytes
        self.rssBytes = rssBytes
        self.cacheBytes = cacheBytes
        self.mappedFileBytes = mappedFileBytes
        self.swapBytes = swapBytes
        self.limitBytes = limitBytes
        self.failcnt = failcnt
        self.pageFaults = pageFaults
        self.majorPageFaults = majorPageFaults
        self.oomKills = oomKills
    }

    /// Limits above 2^62 mean "none" (cAdvisor's cut-off; v1 reports 2^63 rounded to pages).
    public static let unlimitedThreshold: UInt64 = 1 << 62

    /// usage − inactive_file, floored at 0: what kubelet evicts on and `kubectl top` shows.
    public var workingSetBytes: UInt64 {
        usageBytes > inactiveFileBytes ? usageBytes - inactiveFileBytes : 0
    }

    /// limit − working set, floored at 0; nil without a limit.
    public var availableBytes: UInt64? {
        guard let limitBytes else { return nil }
        return limitBytes > workingSetBytes ? limitBytes - workingSetBytes : 0
    }
}
