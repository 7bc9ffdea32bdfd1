#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Why a volume mount's `subPath` cannot be mounted.
public struct SubPathError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The subPath as the pod gave it.
    public var subPath: String
    public var detail: String

    public init(subPath: String, detail: String) {
        self.subPath = subPath
        self.detail = detail
    }

    public var description: String { "subPath \"\(subPath)\": \(detail)" }
}

/// Resolves a volume mount's `subPath` to a host path beneath the volume without following a
/// symbolic link: the CVE-2017-1002101 class, where a container plants `sub -> /` in its volume
/// and a second container mounting `subPath: sub` would get the node's root from Docker, which
/// resolves bind sources on the host.
///
/// As kubelet's `subpath_linux.go` (`doSafeOpen`, `doSafeMakeDir`): every component is opened
/// with `openat(parent, name, O_PATH|O_NOFOLLOW)` starting at the volume root; a component that
/// is a symbolic link is refused by name; a missing one is created as a directory (0755) with
/// `mkdirat` and opened the same way, so Docker never creates it itself through a link. The
/// path of the last opened descriptor, read back from `/proc/self/fd`, must still lie beneath
/// the volume root; that checked path is what Docker binds.
///
/// The residual race: kubelet binds `/proc/<pid>/fd/<n>` onto a mount point of its own so the
/// runtime mounts the very inode it checked. Docker binds by path, and the mount happens when
/// the container starts, so a process that can write into the volume (another container of the
/// pod that mounts it) could swap a checked directory for a link in the milliseconds between
/// this check and the start. Planting a link beforehand, the attack of the CVE, is refused.
public enum SubPathResolver {
    /// - Parameters:
    ///   - volumeRoot: the volume's host directory (an emptyDir's directory, a hostPath's path;
    ///     links in it are the node's own and are followed).
    ///   - subPath: the relative path beneath it.
    /// - Returns: the real host path of the subPath, beneath the volume root's real path.
    /// - Throws: ``SubPathError`` naming the component that is a link, escapes or cannot be opened.
    public static func resolve(volumeRoot: String, subPath: String) throws(SubPathError) -> String {
        func fail(_ detail: String) -> SubPathError { SubPathError(subPath: subPath, detail: detail) }
        guard !subPath.hasPrefix("/") else { throw fail("must be a relative path") }
        let components = subPath.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
        guard !components.contains("..") else { throw fail("must not contain '..'") }

        let root = open(volumeRoot, Self.oPath | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0 else { throw fail("cannot open the volume \(volumeRoot): \(describe(errno))") }
        defer { close(root) }
        let realRoot: String
        do throws(Errno) {
            realRoot = try path(of: root)
        } catch {
            throw fail("cannot read the volume's path: \(describe(error.code))")
        }
        guard !components.isEmpty else { return realRoot }

        var current = root
        defer { if current != root { close(current) } }
        var walked = ""
        for (index, name) in components.enumerated() {
            walked += (walked.isEmpty ? "" : "/") + name
            var next = openat(current, name, Self.oPath | O_NOFOLLOW | O_CLOEXEC)
            if next < 0, errno == ENOENT {
                if mkdirat(current, name, 0o755) != 0, errno != EEXIST {
                    throw fail("cannot create \"\(walked)\" in the volume: \(describe(errno))")
                }
                next = openat(current, name, Self.oPath | O_NOFOLLOW | O_CLOEXEC)
            }
            guard next >= 0 else { throw fail("cannot open \"\(walked)\" in the volume: \(describe(errno))") }
            if current != root { close(current) }
            current = next
            var status = stat()
            guard fstat(current, &status) == 0 else { throw fail("cannot stat \"\(walked)\": \(describe(errno))") }
            let type = status.st_mode & S_IFMT
            if type == S_IFLNK {
                throw fail("\"\(walked)\" is a symbolic link; links in a subPath are not followed (they could leave the volume)")
            }
            if index < components.count - 1, type != S_IFDIR {
                throw fail("\"\(walked)\" is not a directory")
            }
        }
        let resolved: String
        do throws(Errno) {
            resolved = try path(of: current)
        } catch {
            throw fail("cannot read the resolved path: \(describe(error.code))")
        }
        guard resolved == realRoot || resolved.hasPrefix(realRoot == "/" ? "/" : realRoot + "/") else {
            throw fail("resolves to \(resolved), outside the volume \(realRoot)")
        }
        return resolved
    }

    private struct Errno: Error { var code: Int32 }

    /// `O_PATH` (Linux, every architecture Swift runs on): Glibc defines it only under
    /// `_GNU_SOURCE`, which the Swift overlay does not see. A descriptor that names a place
    /// without opening the file: a link opened with `O_NOFOLLOW` is the link itself.
    private static let oPath: Int32 = 0o10000000

    /// The path the kernel holds for an open descriptor.
    private static func path(of descriptor: Int32) throws(Errno) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/fd/\(descriptor)", &buffer, buffer.count - 1)
        guard count > 0 else { throw Errno(code: errno) }
        let text = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // A removed directory reads " (deleted)"; the volume is gone under us.
        guard text.hasPrefix("/"), !text.hasSuffix(" (deleted)") else { throw Errno(code: ENOENT) }
        return text
    }

    private static func describe(_ code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }
}
