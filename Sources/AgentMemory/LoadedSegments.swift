import CMemory

/// The segments of every object the dynamic loader has loaded, from `dl_iterate_phdr(3)`: the
/// executable and each shared library, at the addresses they are mapped at. The vDSO, which
/// the kernel provides, is left out.
public enum LoadedSegments {
    private static let loadable: UInt32 = 1  // PT_LOAD
    private static let relocatedReadOnly: UInt32 = 0x6474_e552  // PT_GNU_RELRO
    private static let writableFlag: UInt32 = 0x2  // PF_W

    public static func current() -> [MappedSegment] {
        var segments: [MappedSegment] = []
        withUnsafeMutablePointer(to: &segments) { pointer in
            _ = dl_iterate_phdr({ info, _, context in
                guard let info, let context else { return 0 }
                let segments = context.assumingMemoryBound(to: [MappedSegment].self)
                let name = info.pointee.dlpi_name.map { String(cString: $0) } ?? ""
                guard !name.hasPrefix("linux-vdso"), !name.hasPrefix("linux-gate"), let headers = info.pointee.dlpi_phdr else { return 0 }
                let base = UInt(info.pointee.dlpi_addr)
                for header in UnsafeBufferPointer(start: headers, count: Int(info.pointee.dlpi_phnum)) {
                    guard header.p_type == LoadedSegments.loadable || header.p_type == LoadedSegments.relocatedReadOnly,
                        header.p_memsz > 0
                    else { continue }
                    let start = base &+ UInt(header.p_vaddr)
                    segments.pointee.append(
                        MappedSegment(
                            object: name, addresses: start..<(start + UInt(header.p_memsz)),
                            writable: header.p_flags & LoadedSegments.writableFlag != 0,
                            relocated: header.p_type == LoadedSegments.relocatedReadOnly))
                }
                return 0
            }, pointer)
        }
        return segments
    }
}
