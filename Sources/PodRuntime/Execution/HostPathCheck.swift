#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// kubelet's hostPath `type` checks (`pkg/volume/hostpath`'s `checkType`): the path must be
/// what the type says, and the `...OrCreate` types create it when missing. An empty type checks
/// nothing (Docker creates a missing directory itself, as before types existed).
enum HostPathCheck {
    static let types = ["", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"]

    /// - Returns: nil when the path passes; otherwise why not, in kubelet's words.
    static func check(path: String, type: String) -> String? {
        var status = stat()
        let exists = stat(path, &status) == 0
        let kind = status.st_mode & S_IFMT
        func need(_ wanted: mode_t, _ noun: String) -> String? {
            guard exists else { return "hostPath type check failed: \(path) does not exist" }
            return kind == wanted ? nil : "hostPath type check failed: \(path) is not a \(noun)"
        }
        switch type {
        case "":
            return nil
        case "DirectoryOrCreate":
            if !exists {
                if mkdirAll(path) { return nil }
                return "hostPath type check failed: cannot create directory \(path): \(String(cString: strerror(errno)))"
            }
            return need(S_IFDIR, "directory")
        case "Directory":
            return need(S_IFDIR, "directory")
        case "FileOrCreate":
            if !exists {
                // O_EXCL|O_NOFOLLOW: a link planted at the path is not followed to create elsewhere.
                let descriptor = open(path, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0o644)
                guard descriptor >= 0 else {
                    return "hostPath type check failed: cannot create file \(path): \(String(cString: strerror(errno)))"
                }
                close(descriptor)
                return nil
            }
            return need(S_IFREG, "file")
        case "File":
            return need(S_IFREG, "file")
        case "Socket":
            return need(S_IFSOCK, "socket")
        case "CharDevice":
            return need(S_IFCHR, "character device")
        case "BlockDevice":
            return need(S_IFBLK, "block device")
        default:
            return "Unsupported value: \"\(type)\": supported values: \(types.dropFirst().map { "\"\($0)\"" }.joined(separator: ", "))"
        }
    }

    /// `mkdir -p` with mode 0755, as kubelet's `os.MkdirAll(path, 0755)`.
    private static func mkdirAll(_ path: String) -> Bool {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0, errno != EEXIST { return false }
        }
        return true
    }
}
