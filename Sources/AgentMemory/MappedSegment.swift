/// One loaded segment of an ELF object (the agent's binary or a shared library) as mapped in the
/// process: the addresses it covers and whether its pages may differ from the file's.
public struct MappedSegment: Equatable, Sendable {
    /// The object's path ("" for the executable).
    public var object: String
    /// Addresses `[start, end)` of the segment's bytes (not rounded to pages).
    public var addresses: Range<UInt>
    /// A writable segment (data, bss): its pages are the process's own.
    public var writable: Bool
    /// A `PT_GNU_RELRO` range: read-only now, but the loader wrote relocations into it first.
    public var relocated: Bool

    public init(object: String, addresses: Range<UInt>, writable: Bool = false, relocated: Bool = false) {
        self.object = object
        self.addresses = addresses
        self.writable = writable
        self.relocated = relocated
    }

    /// Its pages hold the file's bytes and nothing else: code and read-only data.
    var isFileContent: Bool { !writable && !relocated }
}
