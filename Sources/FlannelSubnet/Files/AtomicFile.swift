import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Writes a file so that readers see the old or the new contents, never a part: a temporary
/// file in the same directory, fsync, rename over the target (flannel uses renameio alike).
public enum AtomicFile {
    /// Creates the directory when missing; keeps the permissions of an existing file (else 0644).
    /// - Throws: ``AtomicFileError`` naming the path and errno.
    public static func write(_ contents: String, to path: String) throws(AtomicFileError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw AtomicFileError(path: directory, operation: "mkdir", reason: "\(error)")
        }
        var mode: mode_t = 0o644
        var status = stat()
        if stat(path, &status) == 0 { mode = status.st_mode & 0o7777 }

        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw AtomicFileError(path: temporary, operation: "open", reason: String(cString: strerror(errno))) }
        var failure: AtomicFileError?
        let bytes = Array(contents.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if result < 0 {
                if errno == EINTR { continue }
                failure = AtomicFileError(path: temporary, operation: "write", reason: String(cString: strerror(errno)))
                break
            }
            written += result
        }
        if failure == nil, fchmod(descriptor, mode) != 0 {
            failure = AtomicFileError(path: temporary, operation: "chmod", reason: String(cString: strerror(errno)))
        }
        if failure == nil, fsync(descriptor) != 0 {
            failure = AtomicFileError(path: temporary, operation: "fsync", reason: String(cString: strerror(errno)))
        }
        close(descriptor)
        if failure == nil, rename(temporary, path) != 0 {
            failure = AtomicFileError(path: path, operation: "rename", reason: String(cString: strerror(errno)))
        }
        if let failure {
            unlink(temporary)
            throw failure
        }
    }
}
