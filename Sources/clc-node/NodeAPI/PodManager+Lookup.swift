import PodRuntime

extension PodManager {
    /// The record of the pod `namespace/name` (and `uid`, when the request named one), for the
    /// node API's lookups by name.
    func record(namespace: String, name: String, uid: String? = nil) -> PodRecord? {
        snapshot().first {
            ($0.pod.metadata.namespace ?? "default") == namespace && $0.pod.metadata.name == name
                && (uid == nil || $0.pod.metadata.uid == uid)
        }
    }
}
