import Foundation

/// A failure to read the host's resolver file or to write a pod's.
public struct ResolvConfError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var detail: String

    public var description: String { "cannot \(operation) \(path): \(detail)" }
}

/// Writes a container's resolv.conf in place.
enum ResolvConfFile {
    /// Truncates and writes the file without replacing it, as dockershim's rewriteFile: the
    /// running infra container has this inode bind-mounted, and a rename would give the file a
    /// new inode that the infra container never sees.
    static func rewrite(path: String, content: String) throws(ResolvConfError) {
        let descriptor = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ResolvConfError(path: path, operation: "open the pod's resolv.conf", detail: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var bytes = Array(content.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw ResolvConfError(path: path, operation: "write the pod's resolv.conf", detail: String(cString: strerror(errno)))
            }
            bytes = bytes.dropFirst(written)
        }
    }
}
