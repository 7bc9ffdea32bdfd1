import KubeAPI
import Testing

@Suite("FNV-1a 64")
struct FNV1aTests {
    @Test("it gives the published test vectors", arguments: [
        ("", 0xcbf2_9ce4_8422_2325 as UInt64), ("a", 0xaf63_dc4c_8601_ec8c), ("foobar", 0x8594_4171_f739_67e8),
    ])
    func vectors(text: String, expected: UInt64) {
        #expect(FNV1a.hash64(text) == expected)
        #expect(FNV1a.hash64(Array(text.utf8)) == expected)
    }

    @Test("another seed gives another hash of the same bytes")
    func seeds() {
        #expect(FNV1a.hash64("pod", seed: 0x8422_2325_cbf2_9ce4) != FNV1a.hash64("pod"))
    }
}
