import CMnl

/// One message of a netlink datagram, as the readers of rtnetlink and netfilter answers walk
/// them: the header's fields and the payload after it. Nothing here trusts a length it reads.
public struct NetlinkMessage {
    /// `nlmsg_type`: NLMSG_ERROR, NLMSG_DONE, or the subsystem's message type.
    public var type: UInt16
    public var flags: UInt16
    public var sequence: UInt32
    public var payload: UnsafeRawBufferPointer

    private static let headerSize = MemoryLayout<nlmsghdr>.size

    /// The messages of one datagram, in order; a truncated message ends the list.
    public static func messages(in datagram: UnsafeRawBufferPointer) -> [NetlinkMessage] {
        var messages: [NetlinkMessage] = []
        var offset = 0
        while offset + headerSize <= datagram.count {
            let header = datagram.loadUnaligned(fromByteOffset: offset, as: nlmsghdr.self)
            let length = Int(header.nlmsg_len)
            guard length >= headerSize, offset + length <= datagram.count else { break }
            messages.append(NetlinkMessage(
                type: header.nlmsg_type, flags: header.nlmsg_flags, sequence: header.nlmsg_seq,
                payload: UnsafeRawBufferPointer(rebasing: datagram[(offset + headerSize)..<(offset + length)])))
            offset += (length + 3) & ~3
        }
        return messages
    }

    public var isError: Bool { Int32(type) == NLMSG_ERROR }
    public var isDone: Bool { Int32(type) == NLMSG_DONE }

    /// NLMSG_ERROR's or NLMSG_DONE's code as a positive errno (0: an acknowledgement, or a dump
    /// complete); nil when the payload is too short to hold it. Wrapping: no kernel sends
    /// Int32.min, but a datagram that does must not trap.
    public var errorCode: Int32? {
        payload.count >= 4 ? 0 &- payload.loadUnaligned(as: Int32.self) : nil
    }

    /// For NLMSG_ERROR: the sequence number of the request it answers, from the original
    /// header it carries.
    public var originalSequence: UInt32? {
        payload.count >= 4 + Self.headerSize ? payload.loadUnaligned(fromByteOffset: 4, as: nlmsghdr.self).nlmsg_seq : nil
    }

    /// For NLMSG_ERROR: the extended ack's text (NLMSGERR_ATTR_MSG), after the error code and
    /// the original header (capped acks) or the whole original message.
    public var extendedAckMessage: String? {
        guard Int32(flags) & NLM_F_ACK_TLVS != 0, payload.count >= 4 + Self.headerSize else { return nil }
        let original = payload.loadUnaligned(fromByteOffset: 4, as: nlmsghdr.self)
        let originalLength = Int32(flags) & NLM_F_CAPPED != 0 ? Self.headerSize : Int(original.nlmsg_len)
        let start = 4 + ((originalLength + 3) & ~3)
        guard start <= payload.count else { return nil }
        let tlvs: [UInt16: UnsafeRawBufferPointer] = Self.attributes(UnsafeRawBufferPointer(rebasing: payload[start...]))
        return tlvs[UInt16(NLMSGERR_ATTR_MSG.rawValue)].map { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    /// The attributes of one nesting level by type, without the NLA_F_NESTED and
    /// NLA_F_NET_BYTEORDER flags; a truncated attribute ends the list.
    public static func attributes<Key: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer) -> [Key: UnsafeRawBufferPointer] {
        var result: [Key: UnsafeRawBufferPointer] = [:]
        var offset = 0
        while offset + 4 <= bytes.count {
            let length = Int(bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            let type = bytes.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self) & 0x3fff
            guard length >= 4, offset + length <= bytes.count else { break }
            result[Key(type)] = UnsafeRawBufferPointer(rebasing: bytes[(offset + 4)..<(offset + length)])
            offset += (length + 3) & ~3
        }
        return result
    }
}
