#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An emptyDir with `medium: Memory`: a tmpfs mounted on the volume's directory (kubelet's
/// `setupTmpfs`), so every container of the pod shares it, sized by `sizeLimit` when given.
/// The mount must go before the directory is removed, or its contents stay in memory.
enum MemoryEmptyDir {
    struct Failure: Error, CustomStringConvertible {
        var operation: String
        var code: Int32
        var description: String { "\(operation): \(String(cString: strerror(code))) (errno \(code))" }
    }

    /// Whether something is mounted on `directory`: it lies on another device than its parent.
    /// (statfs, which would tell tmpfs, is not in the Glibc overlay; only the agent mounts here.)
    static func isMounted(_ directory: String) -> Bool {
        var own = stat()
        var parent = stat()
        guard lstat(directory, &own) == 0, lstat(directory + "/..", &parent) == 0 else { return false }
        return own.st_dev != parent.st_dev
    }

    /// Mounts a tmpfs on `directory` unless one is there already.
    /// - Parameter sizeBytes: the tmpfs' size; nil leaves the kernel's default (half the RAM).
    static func mount(on directory: String, sizeBytes: Int64?) throws(Failure) {
        guard !isMounted(directory) else { return }
        var options = "mode=0777"
        if let sizeBytes { options += ",size=\(sizeBytes)" }
        guard Glibc.mount("tmpfs", directory, "tmpfs", UInt(MS_NOSUID | MS_NODEV), options) == 0 else {
            throw Failure(operation: "mount tmpfs on \(directory) (\(options))", code: errno)
        }
    }

    /// Unmounts the tmpfs of every memory emptyDir under `volumesDirectory`
    /// (`<state>/pods/<uid>/volumes/kubernetes.io~empty-dir`).
    static func unmountAll(under volumesDirectory: String) {
        guard let directory = opendir(volumesDirectory) else { return }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name != ".", name != ".." else { continue }
            let path = "\(volumesDirectory)/\(name)"
            if isMounted(path) { umount2(path, Int32(MNT_DETACH)) }
        }
    }
}
