#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An emptyDir's mode and group as kubelet leaves them: mode 0777 (any user of the pod writes),
/// and with `fsGroup` the directory's group is that group with the setgid bit, so files created
/// in it belong to the group too (kubelet's `SetVolumeOwnership`).
enum EmptyDirOwnership {
    struct Failure: Error, CustomStringConvertible {
        var operation: String
        var code: Int32
        var description: String { "\(operation): \(String(cString: strerror(code))) (errno \(code))" }
    }

    static func apply(to directory: String, fsGroup: Int64?) throws(Failure) {
        var mode: mode_t = 0o777
        if let fsGroup {
            guard let gid = gid_t(exactly: fsGroup) else { throw Failure(operation: "fsGroup \(fsGroup) is not a group ID", code: EINVAL) }
            // lchown: the directory was just created by the agent, never follow a link.
            guard lchown(directory, uid_t.max, gid) == 0 else { throw Failure(operation: "chown \(directory) to group \(fsGroup)", code: errno) }
            mode |= S_ISGID
        }
        guard chmod(directory, mode) == 0 else { throw Failure(operation: "chmod \(directory)", code: errno) }
    }
}
