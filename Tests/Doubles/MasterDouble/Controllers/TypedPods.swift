import Foundation
import KubeAPI
import Synchronization

/// The store's pods as KubeAPI values, by namespace, for the controllers that share the agent's
/// typed logic (`EndpointsController`). Decoding is kept across passes per UID and
/// resourceVersion, since the controllers run after every write; a pod that does not decode is
/// left out (the registry's validation refuses such pods on create).
struct TypedPods {
    final class Cache: Sendable {
        private let decoded = Mutex<[String: (version: String, pod: Pod)]>([:])

        fileprivate func pods(_ objects: [JSONValue]) -> [Pod] {
            decoded.withLock { cache in
                var kept: [String: (version: String, pod: Pod)] = [:]
                let pods = objects.compactMap { object -> Pod? in
                    guard let uid = object.uid, let version = object.resourceVersion else {
                        return try? object.decode(Pod.self)
                    }
                    if let hit = cache[uid], hit.version == version {
                        kept[uid] = hit
                        return hit.pod
                    }
                    guard let pod = try? object.decode(Pod.self) else { return nil }
                    kept[uid] = (version, pod)
                    return pod
                }
                cache = kept
                return pods
            }
        }
    }

    private let byNamespace: [String: [Pod]]

    init(_ objects: [JSONValue], cache: Cache) {
        byNamespace = Dictionary(grouping: cache.pods(objects)) { $0.metadata.namespace ?? "default" }
    }

    subscript(namespace: String) -> [Pod] { byNamespace[namespace] ?? [] }
}
