#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// ``StatsFileSystem`` over the real `/sys` and `/proc`: one `open`/`read`/`close` per file into
/// a reused-size buffer (cgroup files are a few hundred bytes; `stat` would report 4096 for them
/// anyway, so nothing is gained by asking for the size first).
public struct HostFileSystem: StatsFileSystem {
    public init() {}

    public func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            result.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: result, as: UTF8.self)
    }

    public func filesystem(at path: String) -> FilesystemStats? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        let blockSize = UInt64(info.f_frsize)
        let capacity = UInt64(info.f_blocks) * blockSize
        let free = UInt64(info.f_bfree) * blockSize
        return FilesystemStats(
            capacityBytes: capacity, availableBytes: UInt64(info.f_bavail) * blockSize, usedBytes: capacity - min(free, capacity),
            inodes: UInt64(info.f_files), inodesFree: UInt64(info.f_ffree),
            inodesUsed: UInt64(info.f_files) - min(UInt64(info.f_ffree), UInt64(info.f_files)))
    }

    public func fileSize(_ path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt64(info.st_size)
    }
}
