/// Histogram bounds built the way Prometheus's Go client builds them, so that the agent's
/// histograms have kube-proxy's buckets exactly.
public enum Buckets {
    /// `count` bounds: `start`, `start × factor`, `start × factor²`, … (Go's `ExponentialBuckets`).
    public static func exponential(start: Double, factor: Double, count: Int) -> [Double] {
        var bounds: [Double] = []
        var bound = start
        for _ in 0..<max(0, count) {
            bounds.append(bound)
            bound *= factor
        }
        return bounds
    }

    /// `count` bounds: `start`, `start + width`, `start + 2 × width`, … (Go's `LinearBuckets`).
    public static func linear(start: Double, width: Double, count: Int) -> [Double] {
        var bounds: [Double] = []
        var bound = start
        for _ in 0..<max(0, count) {
            bounds.append(bound)
            bound += width
        }
        return bounds
    }

    /// Kubernetes' `MergeBuckets`: a leading 0 bound, then each list in turn.
    public static func merged(_ lists: [Double]...) -> [Double] {
        [0] + lists.flatMap { $0 }
    }
}
