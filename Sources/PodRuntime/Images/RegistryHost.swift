/// The registry an image reference is pulled from, by Docker's rules (distribution/reference's
/// splitDockerDomain): the first path component is a host when it contains a dot or a colon, is
/// `localhost`, or has an upper-case letter (repository names never do); otherwise the image
/// lives on Docker Hub, `docker.io`, whose older name `index.docker.io` means the same.
public enum RegistryHost {
    public static let dockerHub = "docker.io"

    /// `redis` → docker.io, `kubernetes/redis-slave` → docker.io, `quay.io/a/b:1` → quay.io,
    /// `localhost:5000/x` → localhost:5000.
    public static func of(reference: String) -> String {
        guard let slash = reference.firstIndex(of: "/") else { return dockerHub }
        let first = String(reference[..<slash])
        let isHost = first.contains(".") || first.contains(":") || first == "localhost" || first.lowercased() != first
        guard isHost else { return dockerHub }
        return first == "index.docker.io" ? dockerHub : first
    }
}
