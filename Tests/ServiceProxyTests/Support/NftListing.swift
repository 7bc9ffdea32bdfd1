import Foundation

/// Puts `nft list table` output and `Ruleset.render()` text in one form so they can be compared.
/// Exactly three things are normalised, each because the kernel decides it, not us:
///
/// 1. Layout: lines are trimmed, blank lines dropped, and a line ending in `,` is joined with the
///    next (nft wraps long element lists over several lines).
/// 2. Order of the items inside a `{ a, b, c }` list on one line (map elements): sorted, as the
///    kernel lists hash-set elements in hash order.
/// 3. Order of the top-level blocks (sets, maps, chains): sorted by their first line, as the
///    kernel lists them in creation order and an incremental sync creates new ones last.
///
/// Nothing else: every statement, type, flag, priority and element must match as printed.
enum NftListing {
    static func normalize(_ text: String) -> String {
        var lines: [String] = []
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if let last = lines.last, last.hasSuffix(",") {
                lines[lines.count - 1] = last + " " + line
            } else {
                lines.append(line)
            }
        }
        lines = lines.map(sortBraceLists)
        guard lines.count >= 2 else { return lines.joined(separator: "\n") }
        var blocks: [[String]] = []
        for line in lines[1..<(lines.count - 1)] {
            if line.hasSuffix("{"), line.hasPrefix("chain ") || line.hasPrefix("set ") || line.hasPrefix("map ") {
                blocks.append([line])
            } else {
                blocks[blocks.count - 1].append(line)
            }
        }
        blocks.sort { $0[0] < $1[0] }
        return ([lines[0]] + blocks.flatMap { $0 } + [lines[lines.count - 1]]).joined(separator: "\n")
    }

    /// Sorts the comma-separated items of every innermost `{ ... }` of one line.
    private static func sortBraceLists(_ line: String) -> String {
        var result = ""
        var rest = Substring(line)
        while let open = rest.firstIndex(of: "{") {
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "}"),
                rest[afterOpen..<close].firstIndex(of: "{") == nil
            else {
                result += rest[...open]
                rest = rest[afterOpen...]
                continue
            }
            let items = rest[afterOpen..<close].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            result += rest[..<open] + "{ " + items.sorted().joined(separator: ", ") + " }"
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }
}
