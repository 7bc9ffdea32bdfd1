import CMemory

/// The segments of every object the dynamic loader has loaded, from `dl_iterate_phdr(3)`: the
/// executable and each shared library, at the addresses they are mapped at. The vDSO, which
/// the kernel provides, is left out.
public enum LoadedSegments {
    public static func current() -> [MappedSegment] {
        var segments: [MappedSegment] = []
        withUnsafeMutablePointer(to: &segments) { pointer in
            clc_visit_loaded_segments({ segment, context in
                guard let segment, let context else { return }
                let found = segment.pointee
                context.assumingMemoryBound(to: [MappedSegment].self).pointee.append(
                    MappedSegment(
                        object: found.object.map { String(cString: $0) } ?? "",
                        addresses: UInt(found.start)..<UInt(found.end),
                        writable: found.writable != 0, relocated: found.relocated != 0))
            }, pointer)
        }
        return segments
    }
}
