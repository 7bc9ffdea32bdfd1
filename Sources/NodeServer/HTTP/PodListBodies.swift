import Foundation
import KubeAPI
import Synchronization

/// The encoded `PodList` bodies of `/pods` and `/runningpods/`, each kept with the provider's
/// version it was encoded from and encoded again only when that version moved on.
final class PodListBodies: Sendable {
    enum Kind: Sendable { case all, running }

    private struct Body {
        var version: UInt64
        var bytes: [UInt8]
    }

    private let bodies = Mutex<[Kind: Body]>([:])

    /// The body for `kind` at the provider's current version.
    func body(_ kind: Kind, from provider: any NodePodsProvider) async -> [UInt8] {
        let current = await provider.version()
        if let cached = bodies.withLock({ $0[kind] }), cached.version == current { return cached.bytes }
        let pods = kind == .all ? await provider.pods() : await provider.runningPods()
        let list = ObjectList<Pod>(apiVersion: "v1", kind: "PodList", metadata: ListMeta(), items: pods.items)
        let bytes = (try? JSONEncoder().encode(list)).map { Array($0) } ?? Array("{}".utf8)
        // Stored under the version the pods were read at, so a change in between is not hidden.
        bodies.withLock { $0[kind] = Body(version: pods.version, bytes: bytes) }
        return bytes
    }
}
