import CMemory
import Foundation

/// What the process holds in memory, from `/proc/self/statm`.
public struct ResidentMemory: Sendable, Equatable {
    /// All resident bytes (VmRSS).
    public var total: Int
    /// Resident bytes backed by files, code and read-only data above all (RssFile + RssShmem).
    public var fileBacked: Int
}

extension ResidentMemory {
    /// Reads statm's "size resident shared ..." page counts.
    public init?(statm: String, pageSize: Int) {
        let fields = statm.split(separator: " ")
        guard fields.count >= 3, let resident = Int(fields[1]), let shared = Int(fields[2]) else { return nil }
        self.init(total: resident * pageSize, fileBacked: shared * pageSize)
    }

    public static func current() -> ResidentMemory? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        return ResidentMemory(statm: text, pageSize: Int(sysconf(Int32(_SC_PAGESIZE))))
    }
}

/// Gives memory the agent does not use back to the kernel.
public enum MemoryRelease {
    public struct Outcome: Sendable, Equatable {
        /// Bytes of file pages dropped from the page tables.
        public var fileBytes: Int
        /// Ranges the kernel refused (an errno each), if any.
        public var failures: [String]
    }

    /// Drops the releasable file pages of every loaded object (``FilePages``), then lets
    /// malloc return its free memory (`malloc_trim(0)`).
    public static func releaseNow() -> Outcome {
        let pageSize = UInt(sysconf(Int32(_SC_PAGESIZE)))
        var outcome = Outcome(fileBytes: 0, failures: [])
        for range in FilePages.releasable(in: LoadedSegments.current(), pageSize: pageSize) {
            let length = Int(range.upperBound - range.lowerBound)
            if madvise(UnsafeMutableRawPointer(bitPattern: range.lowerBound), length, MADV_DONTNEED) == 0 {
                outcome.fileBytes += length
            } else {
                let address = "0x" + String(range.lowerBound, radix: 16)
                outcome.failures.append("madvise(\(address), \(length)): \(String(cString: strerror(errno)))")
            }
        }
        _ = malloc_trim(0)
        return outcome
    }
}
