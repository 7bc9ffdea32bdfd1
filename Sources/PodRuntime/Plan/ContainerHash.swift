import Foundation
import KubeAPI
import Synchronization

/// A container spec's hash, stored on the Docker container: a running container whose spec
/// changed is replaced, as kubelet does.
public enum ContainerHash {
    /// FNV-1a 64 of the spec's canonical JSON (sorted keys), in hex.
    ///
    /// Every sync of a pod asks for the hash of each of its containers (twice: the change check
    /// and the back-off key), and the specs hardly ever change. The JSON encoding was ~1.4 % of
    /// the agent's samples at 100 pods (`bench/probes.sh` under perf), so answers are kept for
    /// the specs seen last; a spec's own `Hashable` finds them.
    public static func of(_ container: Container) -> String {
        if let known = memo.withLock({ $0[container] }) { return known }
        let hash = compute(container)
        memo.withLock { memo in
            // A node runs a few hundred containers; a whole new set replaces the old.
            if memo.count >= memoLimit { memo.removeAll(keepingCapacity: true) }
            memo[container] = hash
        }
        return hash
    }

    static func compute(_ container: Container) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = (try? encoder.encode(container)) ?? Data(container.name.utf8)
        return String(FNV1a.hash64(bytes), radix: 16)
    }

    /// Enough for kubelet's 110 pods of a few containers each.
    static let memoLimit = 1024
    private static let memo = Mutex<[Container: String]>([:])
}
