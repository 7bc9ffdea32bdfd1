/// FNV-1a, 64 bits: the one hash the agent uses for identities and placements that must be the
/// same in every run and on every node (static pod UIDs, generated names, manifest cluster IPs,
/// container spec hashes, the proxy's service shards). Swift's `Hasher` is seeded per process.
public enum FNV1a {
    /// The standard offset basis.
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325

    /// The hash of `bytes`, starting from `seed` (the offset basis unless a second, independent
    /// hash of the same bytes is wanted).
    public static func hash64(_ bytes: some Sequence<UInt8>, seed: UInt64 = offsetBasis) -> UInt64 {
        var hash = seed
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// The hash of a string's UTF-8 bytes.
    public static func hash64(_ text: String, seed: UInt64 = offsetBasis) -> UInt64 {
        hash64(text.utf8, seed: seed)
    }
}
