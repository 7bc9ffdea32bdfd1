/// The files the sampler reads, behind a protocol so that sampling is tested against fixture
/// text (``CgroupFileParser`` tests) and a fake tree, and runs against `/sys` and `/proc`.
public protocol StatsFileSystem: Sendable {
    /// The whole text of a small file (cgroup, procfs); nil when it is missing or unreadable.
    func read(_ path: String) -> String?
    /// Capacity and free space of the filesystem holding `path` (statvfs); nil when unknown.
    func filesystem(at path: String) -> FilesystemStats?
    /// The size of a regular file in bytes; nil when it is missing.
    func fileSize(_ path: String) -> UInt64?
}
