import Foundation

/// kubelet's `usageNanoCores`: CPU nanoseconds used per second of wall time between two samples
/// (pkg/kubelet/stats/helper.go). Nil without a previous sample, when time did not advance, or
/// when the counter went down (a new cgroup under the same name).
public enum CPURate {
    public static func nanoCores(latest: CPUStats?, at latestTime: Date, previous: CPUStats?, at previousTime: Date?) -> UInt64? {
        guard let latest, let previous, let previousTime, latest.usageNanoseconds >= previous.usageNanoseconds else { return nil }
        let elapsed = latestTime.timeIntervalSince(previousTime)
        guard elapsed > 0 else { return nil }
        return UInt64((Double(latest.usageNanoseconds - previous.usageNanoseconds) / elapsed).rounded())
    }
}
