import Foundation
import Glibc

/// Why a file in the manifest directory is not read: names the file and the rule.
public struct ManifestFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// Not a regular file after following symlinks: a directory, FIFO, socket or device.
        case notRegular(kind: String)
        /// Larger than the limit (`size` as far as it was read or reported).
        case tooLarge(size: Int, limit: Int)
        /// stat, open or read failed.
        case unreadable(detail: String)
    }

    public var path: String
    public var reason: Reason

    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case let .notRegular(kind): "manifest \(path) is a \(kind), not a regular file: not read"
        case let .tooLarge(size, limit): "manifest \(path) is \(size) bytes, more than the limit of \(limit) bytes: not read"
        case let .unreadable(detail): "cannot read manifest \(path): \(detail)"
        }
    }
}

/// Reads one manifest file without trusting what the directory holds: only a regular file
/// (a symlink is followed, and what it points to must be regular), at most `maxBytes` long. The
/// file is opened non-blocking and checked again on the open descriptor, so a FIFO or device
/// swapped in after the first look is never read (and its open never blocks).
public enum ManifestFile {
    /// 1 MiB: far above any pod, list or controller manifest; the API server itself refuses
    /// requests above 3 MiB and stores objects of at most 1.5 MiB.
    public static let defaultMaxBytes = 1 << 20

    /// What `stat` (following symlinks) says about a file, enough to tell whether it changed.
    public struct Status: Sendable, Hashable {
        public var mode: mode_t
        public var size: Int
        public var modified: timespec

        public static func == (a: Status, b: Status) -> Bool {
            a.mode == b.mode && a.size == b.size && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(mode)
            hasher.combine(size)
            hasher.combine(modified.tv_sec)
            hasher.combine(modified.tv_nsec)
        }

        /// Changes whenever the file (or what a symlink points to) changes type, size or time.
        public var signature: String { "\(mode)/\(size)@\(modified.tv_sec).\(modified.tv_nsec)" }
    }

    /// `stat(2)` of `path`, following symlinks.
    public static func status(_ path: String) throws(ManifestFileError) -> Status {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ManifestFileError(path: path, reason: .unreadable(detail: String(cString: strerror(errno))))
        }
        return Status(info)
    }

    /// The rules, on what `stat` reported: a regular file of at most `maxBytes`.
    public static func check(_ status: Status, path: String, maxBytes: Int) throws(ManifestFileError) {
        guard status.mode & S_IFMT == S_IFREG else { throw ManifestFileError(path: path, reason: .notRegular(kind: kind(status.mode))) }
        guard status.size <= maxBytes else { throw ManifestFileError(path: path, reason: .tooLarge(size: status.size, limit: maxBytes)) }
    }

    /// Reads the file under the rules. At most `maxBytes + 1` bytes are read, however much the
    /// file grew since it was looked at.
    public static func read(_ path: String, maxBytes: Int = defaultMaxBytes) throws(ManifestFileError) -> Data {
        // O_NONBLOCK: opening a FIFO without a writer would otherwise wait for one forever.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { throw ManifestFileError(path: path, reason: .unreadable(detail: String(cString: strerror(errno)))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw ManifestFileError(path: path, reason: .unreadable(detail: String(cString: strerror(errno))))
        }
        try check(Status(info), path: path, maxBytes: maxBytes)
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ManifestFileError(path: path, reason: .unreadable(detail: String(cString: strerror(errno))))
            }
            if count == 0 { return data }
            data.append(contentsOf: buffer[0..<count])
            if data.count > maxBytes { throw ManifestFileError(path: path, reason: .tooLarge(size: data.count, limit: maxBytes)) }
        }
    }

    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "directory"
        case S_IFIFO: "FIFO"
        case S_IFCHR: "character device"
        case S_IFBLK: "block device"
        case S_IFSOCK: "socket"
        case S_IFLNK: "symlink"
        default: "special file"
        }
    }
}

extension ManifestFile.Status {
    init(_ info: stat) {
        self.init(mode: info.st_mode, size: Int(info.st_size), modified: info.st_mtim)
    }
}
