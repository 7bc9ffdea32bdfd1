import CNetfilter

/// A libnftnl user-data buffer (`struct nftnl_udata_buf`): TLVs the kernel stores for nft and
/// returns in listings. nft reads a set's key byte order from it to print integer keys.
final class NftUserData {
    let pointer: OpaquePointer

    init() throws(NetfilterError) {
        guard let pointer = nftnl_udata_buf_alloc(64) else { throw .allocation(object: "user data") }
        self.pointer = pointer
    }

    deinit { nftnl_udata_buf_free(pointer) }

    func put(_ type: UInt32, u32 value: UInt32) { _ = nftnl_udata_put_u32(pointer, UInt8(type), value) }

    var bytes: UnsafeMutableRawPointer? { nftnl_udata_buf_data(pointer) }

    var count: UInt32 { nftnl_udata_buf_len(pointer) }
}
