/// RFC 4648 base32 (standard alphabet), as Go's `base32.StdEncoding`, without padding: the
/// encoding of kube-proxy's chain-name hashes.
enum Base32 {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var out = ""
        var buffer: UInt32 = 0
        var bitCount = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bitCount += 8
            while bitCount >= 5 {
                out.append(alphabet[Int((buffer >> UInt32(bitCount - 5)) & 31)])
                bitCount -= 5
            }
        }
        if bitCount > 0 { out.append(alphabet[Int((buffer << UInt32(5 - bitCount)) & 31)]) }
        return out
    }
}
