/// Cumulative CPU use of a cgroup (or of the node), as the kernel counts it.
public struct CPUStats: Sendable, Equatable {
    /// CPU time used since the cgroup was created, in nanoseconds (v2 `usage_usec` × 1000,
    /// v1 `cpuacct.usage`).
    public var usageNanoseconds: UInt64
    /// User and system time, in nanoseconds (v2 `user_usec`/`system_usec`, v1 `cpuacct.stat`
    /// ticks × 10 ms); nil when the file does not say.
    public var userNanoseconds: UInt64?
    public var systemNanoseconds: UInt64?
    /// CFS bandwidth control; nil when the file does not say.
    public var throttling: CPUThrottling?

    public init(usageNanoseconds: UInt64, userNanoseconds: UInt64? = nil, systemNanoseconds: UInt64? = nil, throttling: CPUThrottling? = nil) {
        self.usageNanoseconds = usageNanoseconds
        self.userNanoseconds = userNanoseconds
        self.systemNanoseconds = systemNanoseconds
        self.throttling = throttling
    }
}

/// CFS periods and throttling (`nr_periods`, `nr_throttled`, `throttled_time`/`throttled_usec`).
public struct CPUThrottling: Sendable, Equatable {
    public var periods: UInt64
    public var throttledPeriods: UInt64
    public var throttledNanoseconds: UInt64

    public init(periods: UInt64, throttledPeriods: UInt64, throttledNanoseconds: UInt64) {
        self.periods = periods
        self.throttledPeriods = throttledPeriods
        self.throttledNanoseconds = throttledNanoseconds
    }
}

/// What a cgroup is allowed: CPU shares and the CFS quota, the memory limit.
public struct ResourceSpec: Sendable, Equatable {
    /// v1 `cpu.shares`; v2 `cpu.weight` converted to shares as runc and cAdvisor do.
    public var cpuShares: UInt64?
    /// CFS period and quota in microseconds; the quota is nil when unlimited.
    public var cpuPeriodMicroseconds: UInt64?
    public var cpuQuotaMicroseconds: UInt64?

    public init(cpuShares: UInt64? = nil, cpuPeriodMicroseconds: UInt64? = nil, cpuQuotaMicroseconds: UInt64? = nil) {
        self.cpuShares = cpuShares
        self.cpuPeriodMicroseconds = cpuPeriodMicroseconds
        self.cpuQuotaMicroseconds = cpuQuotaMicroseconds
    }
}
