/// Capacity and use of a filesystem (statvfs), or the bytes a container's files take on it.
public struct FilesystemStats: Sendable, Equatable {
    public var capacityBytes: UInt64?
    public var availableBytes: UInt64?
    public var usedBytes: UInt64?
    public var inodes: UInt64?
    public var inodesFree: UInt64?
    public var inodesUsed: UInt64?

    public init(
        capacityBytes: UInt64? = nil, availableBytes: UInt64? = nil, usedBytes: UInt64? = nil, inodes: UInt64? = nil,
        inodesFree: UInt64? = nil, inodesUsed: UInt64? = nil
    ) {
        self.capacityBytes = capacityBytes
        self.availableBytes = availableBytes
        self.usedBytes = usedBytes
        self.inodes = inodes
        self.inodesFree = inodesFree
        self.inodesUsed = inodesUsed
    }
}
