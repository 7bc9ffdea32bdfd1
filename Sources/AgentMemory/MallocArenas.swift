import CMemory
import Foundation

/// glibc gives a thread that finds the arenas busy one of its own, up to 8 per core, and each
/// keeps what it once held: with two dozen threads (the cooperative pool, NIO, curl's pool)
/// that is 1.7 MB more resident with 30 pods than two arenas hold (README, "Footprint").
public enum MallocArenas {
    /// At most two arenas, unless the operator set `MALLOC_ARENA_MAX` (which wins).
    public static func limit(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if environment["MALLOC_ARENA_MAX"] == nil { _ = mallopt(M_ARENA_MAX, 2) }
    }
}
