import DockerEngine

/// Distinguishes a registry that cannot be reached from one that answered "no": only the first
/// lets a node fall back to an image it already has.
public enum ImagePullFailure {
    private static let unreachableMarkers = [
        "no such host", "dial tcp", "i/o timeout", "connection refused", "network is unreachable",
        "temporary failure in name resolution", "server misbehaving", "tls handshake timeout",
        "no route to host", "context deadline exceeded", "connection reset",
    ]

    public static func isRegistryUnreachable(_ error: DockerError) -> Bool {
        let text = error.message.lowercased()
        return unreachableMarkers.contains { text.contains($0) }
    }
}
