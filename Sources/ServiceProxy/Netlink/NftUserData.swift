import CNetfilter

/// A libnftnl user-data buffer (`struct nftnl_udata_buf`): TLVs the kernel stores for nft and
/// returns in listings. nft reads a set's key byte order from it to print integer keys, and a
/// `typeof` declaration's expressions.
final class NftUserData {
    let pointer: OpaquePointer

    init() throws(NetfilterError) {
        // NFT_USERDATA_MAXLEN: what the kernel keeps.
        guard let pointer = nftnl_udata_buf_alloc(256) else { throw .allocation(object: "user data") }
        self.pointer = pointer
    }

    deinit { nftnl_udata_buf_free(pointer) }

    func put(_ type: UInt32, u32 value: UInt32) { _ = nftnl_udata_put_u32(pointer, UInt8(type), value) }

    /// A nested attribute of `type` holding what `body` puts.
    func nest(_ type: UInt32, _ body: () -> Void) {
        let start = nftnl_udata_nest_start(pointer, UInt8(type))
        body()
        nftnl_udata_nest_end(pointer, start)
    }

    var bytes: UnsafeMutableRawPointer? { nftnl_udata_buf_data(pointer) }

    var count: UInt32 { nftnl_udata_buf_len(pointer) }
}
