import CNetfilter

#if canImport(Glibc)
import Glibc
import IPv4
import MnlSocket
#endif

/// ctnetlink messages (`NFNL_SUBSYS_CTNETLINK`): the requests the proxy sends, built with
/// libmnl, and the kernel's answers, read in Swift so that tests can feed them golden bytes.
///
/// Every request is `nlmsghdr` + `nfgenmsg` (family AF_INET, version 0, res_id 0) + attributes.
/// Addresses, ports, the zone and the id travel in network byte order.
enum ConntrackMessage {
    /// Room for the largest request built here: a deletion with every attribute takes 88 bytes.
    static let requestLimit = 256

    /// IPCTNL_MSG_CT_GET with NLM_F_DUMP: every IPv4 entry of the socket's namespace.
    static func dumpRequest(sequence: UInt32) -> [UInt8] {
        build(type: IPCTNL_MSG_CT_GET.rawValue, flags: NLM_F_REQUEST | NLM_F_DUMP, sequence: sequence) { _ in }
    }

    /// IPCTNL_MSG_CT_DELETE with NLM_F_ACK naming `entry` by its original tuple, zone and id:
    /// the kernel looks the entry up by tuple within the zone, and refuses with ENOENT when
    /// none is there or its id differs.
    static func deleteRequest(for entry: ConntrackEntry, sequence: UInt32) -> [UInt8] {
        build(type: IPCTNL_MSG_CT_DELETE.rawValue, flags: NLM_F_REQUEST | NLM_F_ACK, sequence: sequence) { message in
            let tuple = mnl_attr_nest_start(message, UInt16(CTA_TUPLE_ORIG.rawValue))
            let ip = mnl_attr_nest_start(message, UInt16(CTA_TUPLE_IP.rawValue))
            mnl_attr_put_u32(message, UInt16(CTA_IP_V4_SRC.rawValue), entry.original.source.value.bigEndian)
            mnl_attr_put_u32(message, UInt16(CTA_IP_V4_DST.rawValue), entry.original.destination.value.bigEndian)
            mnl_attr_nest_end(message, ip)
            let proto = mnl_attr_nest_start(message, UInt16(CTA_TUPLE_PROTO.rawValue))
            mnl_attr_put_u8(message, UInt16(CTA_PROTO_NUM.rawValue), entry.protocolNumber)
            mnl_attr_put_u16(message, UInt16(CTA_PROTO_SRC_PORT.rawValue), entry.original.sourcePort.bigEndian)
            mnl_attr_put_u16(message, UInt16(CTA_PROTO_DST_PORT.rawValue), entry.original.destinationPort.bigEndian)
            mnl_attr_nest_end(message, proto)
            mnl_attr_nest_end(message, tuple)
            if entry.zone != 0 { mnl_attr_put_u16(message, UInt16(CTA_ZONE.rawValue), entry.zone.bigEndian) }
            if let id = entry.id { mnl_attr_put_u32(message, UInt16(CTA_ID.rawValue), id.bigEndian) }
        }
    }

    private static func build(
        type: UInt32, flags: Int32, sequence: UInt32, attributes: (UnsafeMutablePointer<nlmsghdr>) -> Void
    ) -> [UInt8] {
        withUnsafeTemporaryAllocation(byteCount: requestLimit, alignment: 8) { buffer in
            // libmnl pads attributes without clearing the padding: zeroes, not stack garbage.
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            let message = mnl_nlmsg_put_header(buffer.baseAddress)!
            message.pointee.nlmsg_type = UInt16((UInt32(NFNL_SUBSYS_CTNETLINK) << 8) | type)
            message.pointee.nlmsg_flags = UInt16(flags)
            message.pointee.nlmsg_seq = sequence
            let header = mnl_nlmsg_put_extra_header(message, MemoryLayout<nfgenmsg>.size)!
                .assumingMemoryBound(to: nfgenmsg.self)
            header.pointee.nfgen_family = UInt8(AF_INET)
            header.pointee.version = UInt8(NFNETLINK_V0)
            header.pointee.res_id = 0
            attributes(message)
            return Array(UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(message.pointee.nlmsg_len)))
        }
    }

    // MARK: - Answers

    /// One message of the kernel's answer.
    enum Answer: Sendable, Hashable {
        /// An entry of a dump (IPCTNL_MSG_CT_NEW); nil when it has no IPv4 original and reply tuple.
        case entry(ConntrackEntry?)
        /// NLMSG_DONE: the dump is complete (`errno` 0) or ended early with that error.
        case done(errno: Int32)
        /// NLMSG_ERROR: an acknowledgement (`errno` 0) or a refusal; positive errno.
        case error(errno: Int32)
    }

    /// The messages of one datagram with their sequence numbers; unknown types are left out.
    static func parse(_ datagram: UnsafeRawBufferPointer) -> [(sequence: UInt32, answer: Answer)] {
        let entryType = UInt16((UInt32(NFNL_SUBSYS_CTNETLINK) << 8) | IPCTNL_MSG_CT_NEW.rawValue)
        return NetlinkMessage.messages(in: datagram).compactMap { message in
            if message.isError, let code = message.errorCode { return (message.sequence, .error(errno: code)) }
            if message.isDone { return (message.sequence, .done(errno: message.errorCode ?? 0)) }
            guard message.type == entryType, message.payload.count >= MemoryLayout<nfgenmsg>.size else { return nil }
            let attributes = UnsafeRawBufferPointer(rebasing: message.payload[MemoryLayout<nfgenmsg>.size...])
            return (message.sequence, .entry(entry(from: attributes)))
        }
    }

    /// The entry described by the attributes of an IPCTNL_MSG_CT_NEW message.
    static func entry(from bytes: UnsafeRawBufferPointer) -> ConntrackEntry? {
        let top = attributes(bytes)
        guard let original = top[CTA_TUPLE_ORIG.rawValue].flatMap(tuple),
            let reply = top[CTA_TUPLE_REPLY.rawValue].flatMap(tuple)
        else { return nil }
        return ConntrackEntry(
            protocolNumber: original.protocolNumber, original: original.tuple, reply: reply.tuple,
            zone: top[CTA_ZONE.rawValue].flatMap(bigEndianUInt16) ?? 0,
            id: top[CTA_ID.rawValue].flatMap(bigEndianUInt32))
    }

    private static func tuple(_ bytes: UnsafeRawBufferPointer) -> (protocolNumber: UInt8, tuple: ConntrackEntry.Tuple)? {
        let nested = attributes(bytes)
        guard let ip = nested[CTA_TUPLE_IP.rawValue].map(attributes),
            let source = ip[CTA_IP_V4_SRC.rawValue].flatMap(bigEndianUInt32),
            let destination = ip[CTA_IP_V4_DST.rawValue].flatMap(bigEndianUInt32),
            let proto = nested[CTA_TUPLE_PROTO.rawValue].map(attributes),
            let number = proto[CTA_PROTO_NUM.rawValue].flatMap({ $0.first })
        else { return nil }
        let tuple = ConntrackEntry.Tuple(
            source: IPv4Address(source), destination: IPv4Address(destination),
            sourcePort: proto[CTA_PROTO_SRC_PORT.rawValue].flatMap(bigEndianUInt16) ?? 0,
            destinationPort: proto[CTA_PROTO_DST_PORT.rawValue].flatMap(bigEndianUInt16) ?? 0)
        return (number, tuple)
    }

    /// The attributes of one nesting level by type.
    static func attributes(_ bytes: UnsafeRawBufferPointer) -> [UInt32: UnsafeRawBufferPointer] {
        NetlinkMessage.attributes(bytes)
    }

    private static func bigEndianUInt16(_ bytes: UnsafeRawBufferPointer) -> UInt16? {
        bytes.count >= 2 ? UInt16(bigEndian: bytes.loadUnaligned(as: UInt16.self)) : nil
    }

    private static func bigEndianUInt32(_ bytes: UnsafeRawBufferPointer) -> UInt32? {
        bytes.count >= 4 ? UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self)) : nil
    }
}
