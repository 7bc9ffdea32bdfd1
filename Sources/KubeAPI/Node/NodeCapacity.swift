/// What the node offers, as reported in its status.
public enum NodeCapacity {
    /// The pods the node runs at most, reported as its `pods` capacity: kubelet's `maxPods`
    /// default, 110. Manifest replication controllers may not ask for more replicas.
    public static let defaultMaxPods = 110
}
