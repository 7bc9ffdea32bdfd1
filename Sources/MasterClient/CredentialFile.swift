#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes a credential (a client key, a CA) so that no other user can ever read it: the
/// directory is made 0700 (not a link), the file is created 0600 from the start with
/// `O_EXCL|O_NOFOLLOW` under a temporary name, synced, and renamed over the target, so a reader
/// sees the old or the new file whole and never a world-readable moment.
enum CredentialFile {
    struct Failure: Error, CustomStringConvertible {
        var operation: String
        var code: Int32
        var description: String { "\(operation): \(String(cString: strerror(code))) (errno \(code))" }
    }

    static func write(_ bytes: [UInt8], name: String, directory: String) throws(Failure) {
        if mkdir(directory, 0o700) != 0 {
            guard errno == EEXIST else {
                let code = errno
                // A missing parent: create it (0755, as any state directory), then ours 0700.
                guard code == ENOENT, let slash = directory.lastIndex(of: "/"), slash != directory.startIndex else {
                    throw Failure(operation: "mkdir \(directory)", code: code)
                }
                try makeParents(String(directory[..<slash]))
                guard mkdir(directory, 0o700) == 0 || errno == EEXIST else { throw Failure(operation: "mkdir \(directory)", code: errno) }
                return try write(bytes, name: name, directory: directory)
            }
        }
        var status = stat()
        guard lstat(directory, &status) == 0 else { throw Failure(operation: "lstat \(directory)", code: errno) }
        guard status.st_mode & S_IFMT == S_IFDIR else { throw Failure(operation: "\(directory) is not a directory", code: ENOTDIR) }
        guard chmod(directory, 0o700) == 0 else { throw Failure(operation: "chmod 0700 \(directory)", code: errno) }

        let target = directory + "/" + name
        let temporary = directory + "/.\(name).\(getpid()).tmp"
        unlink(temporary)
        let descriptor = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure(operation: "create \(temporary)", code: errno) }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(descriptor)
                unlink(temporary)
                throw Failure(operation: "write \(temporary)", code: code)
            }
            written += count
        }
        // fchmod as well: a umask cannot widen 0600, but the mode is the point of this file.
        guard fchmod(descriptor, 0o600) == 0, fsync(descriptor) == 0 else {
            let code = errno
            close(descriptor)
            unlink(temporary)
            throw Failure(operation: "sync \(temporary)", code: code)
        }
        close(descriptor)
        guard rename(temporary, target) == 0 else {
            let code = errno
            unlink(temporary)
            throw Failure(operation: "rename \(temporary) to \(target)", code: code)
        }
    }

    private static func makeParents(_ path: String) throws(Failure) {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0, errno != EEXIST { throw Failure(operation: "mkdir \(prefix)", code: errno) }
        }
    }
}
