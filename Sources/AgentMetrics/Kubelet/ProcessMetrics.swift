#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The Prometheus client's process collector (`process_*`), read from `/proc/self` at each
/// scrape and rendered directly: a CPU-seconds counter that is read, not incremented, has no
/// place in a registry of live counters.
public struct ProcessMetrics: Sendable {
    private let procRoot: String

    public init(procRoot: String = "/proc") {
        self.procRoot = procRoot
    }

    /// What `/proc/self/stat` and friends say, in the collector's units.
    public struct Reading: Sendable, Equatable {
        public var cpuSeconds: Double
        public var residentBytes: UInt64
        public var virtualBytes: UInt64
        public var startTimeSeconds: Double
        public var openFDs: Int?
        public var maxFDs: UInt64?
    }

    /// Parses `/proc/<pid>/stat` (fields after the parenthesised command name).
    /// - Parameters:
    ///   - ticksPerSecond: `sysconf(_SC_CLK_TCK)`.
    ///   - pageSize: bytes per page, for the RSS.
    ///   - bootTime: seconds since the epoch when the node booted (`/proc/stat` btime).
    public static func parse(stat text: String, ticksPerSecond: Double, pageSize: UInt64, bootTime: Double) -> Reading? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        // After ")": state is field 3; utime 14, stime 15, starttime 22, vsize 23, rss 24.
        let fields = text[text.index(after: close)...].split(separator: " ")
        func field(_ number: Int) -> Double? { fields.count > number - 3 ? Double(fields[number - 3]) : nil }
        guard let utime = field(14), let stime = field(15), let start = field(22), let vsize = field(23), let rss = field(24) else {
            return nil
        }
        return Reading(
            cpuSeconds: (utime + stime) / ticksPerSecond, residentBytes: UInt64(rss) * pageSize, virtualBytes: UInt64(vsize),
            startTimeSeconds: bootTime + start / ticksPerSecond)
    }

    /// The process's figures now; nil when `/proc/self/stat` cannot be read.
    public func read() -> Reading? {
        guard let stat = try? String(contentsOfFile: "\(procRoot)/self/stat", encoding: .utf8) else { return nil }
        let bootLine = (try? String(contentsOfFile: "\(procRoot)/stat", encoding: .utf8))?.split(separator: "\n").first { $0.hasPrefix("btime ") }
        let bootTime = bootLine.flatMap { Double($0.dropFirst(6)) } ?? 0
        guard
            var reading = Self.parse(
                stat: stat, ticksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK))), pageSize: UInt64(sysconf(Int32(_SC_PAGESIZE))),
                bootTime: bootTime)
        else { return nil }
        reading.openFDs = (try? FileManager.default.contentsOfDirectory(atPath: "\(procRoot)/self/fd")).map { max(0, $0.count - 1) }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { reading.maxFDs = UInt64(limit.rlim_cur) }
        return reading
    }

    /// The `process_*` families in the text format; empty when nothing could be read.
    public func exposition() -> [UInt8] {
        guard let reading = read() else { return [] }
        var text = ""
        func family(_ name: String, _ type: String, _ help: String, _ value: String) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", "\(reading.cpuSeconds)")
        if let maxFDs = reading.maxFDs { family("process_max_fds", "gauge", "Maximum number of open file descriptors.", "\(maxFDs)") }
        if let openFDs = reading.openFDs { family("process_open_fds", "gauge", "Number of open file descriptors.", "\(openFDs)") }
        family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", "\(reading.residentBytes)")
        family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.", "\(reading.startTimeSeconds)")
        family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", "\(reading.virtualBytes)")
        return Array(text.utf8)
    }
}
