/// Which pages the agent can give back to the kernel without losing a byte: the whole pages of
/// segments that only ever hold the file's bytes (code, read-only data). Dropping them from
/// the process's page tables (`MADV_DONTNEED`) leaves them in the page cache; the next use
/// maps them again (a minor fault). Pages of writable or relocated segments are the process's
/// own copies and are never included, nor is a page that such a segment shares.
public enum FilePages {
    /// - Returns: ascending, disjoint, page-aligned ranges.
    public static func releasable(in segments: [MappedSegment], pageSize: UInt) -> [Range<UInt>] {
        precondition(pageSize > 0 && pageSize & (pageSize - 1) == 0, "page size must be a power of two")
        let down = { (address: UInt) in address & ~(pageSize - 1) }
        let up = { (address: UInt) in down(address + pageSize - 1) }
        // Every page a kept segment touches, rounded outward.
        let kept = segments.filter { !$0.isFileContent }.map { down($0.addresses.lowerBound)..<up($0.addresses.upperBound) }
        var ranges: [Range<UInt>] = []
        for segment in segments where segment.isFileContent {
            // Only pages the segment covers whole, rounded inward.
            let (first, end) = (up(segment.addresses.lowerBound), down(segment.addresses.upperBound))
            guard first < end else { continue }
            ranges += subtract(kept, from: first..<end)
        }
        return merged(ranges)
    }

    private static func subtract(_ holes: [Range<UInt>], from range: Range<UInt>) -> [Range<UInt>] {
        var pieces = [range]
        for hole in holes where hole.overlaps(range) {
            pieces = pieces.flatMap { piece -> [Range<UInt>] in
                guard piece.overlaps(hole) else { return [piece] }
                return [piece.lowerBound..<max(piece.lowerBound, hole.lowerBound), min(piece.upperBound, hole.upperBound)..<piece.upperBound]
                    .filter { !$0.isEmpty }
            }
        }
        return pieces
    }

    private static func merged(_ ranges: [Range<UInt>]) -> [Range<UInt>] {
        var result: [Range<UInt>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = result.last, last.upperBound >= range.lowerBound {
                result[result.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                result.append(range)
            }
        }
        return result
    }
}
