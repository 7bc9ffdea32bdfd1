import CNetfilter

#if canImport(Glibc)
import Glibc
#endif

/// A netfilter batch being built: BATCH_BEGIN, messages, BATCH_END in one growing buffer, sent
/// with one sendmsg so the kernel runs it as one transaction. Remembers what each sequence
/// number was for, so an error can name its object.
final class NetlinkBatch {
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    private(set) var length = 0
    private let firstSequence: UInt32
    private var nextSequence: UInt32
    private var nextSetID: UInt32 = 1
    /// What each acknowledged message was for, by sequence number.
    private(set) var objects: [UInt32: String] = [:]
    /// The most one message may take; element lists are split to stay well under it.
    static let messageLimit = 256 * 1024

    init(firstSequence: UInt32) {
        capacity = 1 << 20
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        self.firstSequence = firstSequence
        nextSequence = firstSequence
        append { buffer, sequence in nftnl_batch_begin(buffer, sequence) }
    }

    deinit { buffer.deallocate() }

    var beginSequence: UInt32 { firstSequence }

    /// Messages that expect an acknowledgement.
    var messageCount: Int { objects.count }

    /// A set id unique within the batch, for sets referred to before the kernel names them.
    func allocateSetID() -> UInt32 {
        defer { nextSetID += 1 }
        return nextSetID
    }

    /// Appends one nf_tables message with NLM_F_ACK.
    /// - Parameters:
    ///   - type: an NFT_MSG_* type.
    ///   - flags: NLM_F_CREATE, NLM_F_APPEND, ... (NLM_F_ACK is added).
    ///   - object: what the message is for, named in errors.
    ///   - payload: writes the attributes after the header.
    func append(
        type: UInt32, flags: Int32 = 0, object: String, payload: (UnsafeMutablePointer<nlmsghdr>) -> Void
    ) {
        let sequence = append { buffer, sequence in
            nftnl_nlmsg_build_hdr(buffer, UInt16(type), UInt16(NFPROTO_IPV4), UInt16(flags | NLM_F_ACK), sequence)
        } fill: { payload($0) }
        objects[sequence] = object
    }

    /// Ends the batch; returns the bytes to send.
    func finish() -> UnsafeRawBufferPointer {
        append { buffer, sequence in nftnl_batch_end(buffer, sequence) }
        return UnsafeRawBufferPointer(start: buffer, count: length)
    }

    @discardableResult
    private func append(
        header: (UnsafeMutablePointer<CChar>, UInt32) -> UnsafeMutablePointer<nlmsghdr>?,
        fill: (UnsafeMutablePointer<nlmsghdr>) -> Void = { _ in }
    ) -> UInt32 {
        reserve(Self.messageLimit)
        let sequence = nextSequence
        nextSequence &+= 1
        let start = (buffer + length).assumingMemoryBound(to: CChar.self)
        let message = header(start, sequence)!
        fill(message)
        length += (Int(message.pointee.nlmsg_len) + 3) & ~3
        return sequence
    }

    private func reserve(_ bytes: Int) {
        guard length + bytes > capacity else { return }
        var grown = capacity * 2
        while length + bytes > grown { grown *= 2 }
        let larger = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 8)
        larger.copyMemory(from: buffer, byteCount: length)
        buffer.deallocate()
        buffer = larger
        capacity = grown
    }
}
