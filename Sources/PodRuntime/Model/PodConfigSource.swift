import KubeAPI

/// Where a pod comes from, in kubelet's words (the `kubernetes.io/config.source` annotation):
/// `file` for the manifest directory, `api` for the master. Every container carries its pod's
/// source in a label, so that a restarted agent knows which source must have spoken before it
/// may take a container of an unknown pod for an orphan.
public enum PodConfigSource: String, Sendable, Hashable, CaseIterable {
    case file
    case api

    /// The annotation kubelet and the manifest source put on pods they read from files.
    public static let annotation = "kubernetes.io/config.source"

    /// The source of `pod`: `file` when annotated so, else `api`.
    public init(of pod: Pod) {
        self = pod.metadata.annotations?[Self.annotation] == Self.file.rawValue ? .file : .api
    }
}
