import KubeAPI

/// Deterministic hashes for identities that must survive agent restarts (static pod UIDs,
/// generated replica names, cluster IPs of manifest services).
enum StableHash {
    /// A UUID-shaped identifier (8-4-4-4-12 hex) derived from `parts`.
    static func uid(_ parts: String...) -> String {
        let text = parts.joined(separator: "\u{0}")
        let hex = hex16(FNV1a.hash64(text)) + hex16(FNV1a.hash64(text, seed: 0x84222325cbf29ce4))
        let characters = Array(hex)
        func slice(_ range: Range<Int>) -> String { String(characters[range]) }
        return [slice(0..<8), slice(8..<12), slice(12..<16), slice(16..<20), slice(20..<32)].joined(separator: "-")
    }

    /// Five characters of Kubernetes' name-suffix alphabet (no vowels, no look-alikes).
    static func nameSuffix(_ parts: String...) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        var value = FNV1a.hash64(parts.joined(separator: "\u{0}"))
        var suffix = ""
        for _ in 0..<5 {
            suffix.append(alphabet[Int(value % UInt64(alphabet.count))])
            value /= UInt64(alphabet.count)
        }
        return suffix
    }

    private static func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
