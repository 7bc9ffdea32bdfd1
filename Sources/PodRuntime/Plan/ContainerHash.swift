import Foundation
import KubeAPI

/// A container spec's hash, stored on the Docker container: a running container whose spec
/// changed is replaced, as kubelet does.
public enum ContainerHash {
    /// FNV-1a 64 of the spec's canonical JSON (sorted keys), in hex.
    public static func of(_ container: Container) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = (try? encoder.encode(container)) ?? Data(container.name.utf8)
        return String(FNV1a.hash64(bytes), radix: 16)
    }
}
