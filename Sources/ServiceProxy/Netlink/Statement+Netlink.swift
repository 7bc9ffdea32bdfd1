import CNetfilter
import IPv4

/// Registers as nft allocates them: the 16-byte NFT_REG_1 for a single value, then 4-byte
/// registers from NFT_REG32_00 for the fields of a concatenation (the first field's 32-bit
/// register is NFT_REG_1's first word, so nft names it reg 1).
private let reg1 = UInt32(NFT_REG_1.rawValue)
private let reg2 = UInt32(NFT_REG_2.rawValue)
private let reg32Base = UInt32(NFT_REG32_00.rawValue)

extension Statement {
    /// The expressions nft emits for this statement (see `nft --debug=netlink`), appended to
    /// `rule`. No statement needs an anonymous set: they cost the kernel a walk of the batch or
    /// of the table's sets each, which made a full sync of 10,000 services take minutes.
    func lower(into rule: NftRule) throws(NetfilterError) {
        switch self {
        case .ctStateNew:
            try rule.append(.ct(key: UInt32(NFT_CT_STATE.rawValue), dreg: reg1))
            try rule.append(.bitwise(reg: reg1, mask: hostBytes(UInt32(8) /* NF_CT_STATE_BIT(IP_CT_NEW) */)))
            try rule.append(.cmp(.notEqual, reg: reg1, hostBytes(UInt32(0))))
        case .fibDaddrTypeLocal:
            let fib = try NftExpression("fib")
            fib.set(NFTNL_EXPR_FIB_FLAGS, u32: UInt32(NFTA_FIB_F_DADDR.rawValue))
            fib.set(NFTNL_EXPR_FIB_RESULT, u32: UInt32(NFT_FIB_RESULT_ADDRTYPE.rawValue))
            fib.set(NFTNL_EXPR_FIB_DREG, u32: reg1)
            rule.append(fib)
            try rule.append(.cmp(.equal, reg: reg1, hostBytes(UInt32(2) /* RTN_LOCAL */)))
        case let .ip(field, comparison, network):
            // As nft: a prefix on a byte boundary loads just those bytes; any other loads the
            // address and masks it.
            let bytes = network.address.networkBytes
            if network.prefixLength % 8 == 0 {
                let count = network.prefixLength / 8
                try rule.append(.payload(.network, offset: field.offset, length: UInt32(count), dreg: reg1))
                try rule.append(.cmp(comparison, reg: reg1, Array(bytes.prefix(count))))
            } else {
                try rule.append(.payload(.network, offset: field.offset, length: 4, dreg: reg1))
                try rule.append(.bitwise(reg: reg1, mask: IPv4Address(network.mask).networkBytes))
                try rule.append(.cmp(comparison, reg: reg1, bytes))
            }
        case .l4proto(let proto):
            try rule.append(.meta(key: UInt32(NFT_META_L4PROTO.rawValue), dreg: reg1))
            try rule.append(.cmp(.equal, reg: reg1, [proto.number]))
        case let .dport(proto, port):
            try rule.append(.meta(key: UInt32(NFT_META_L4PROTO.rawValue), dreg: reg1))
            try rule.append(.cmp(.equal, reg: reg1, [proto.number]))
            try rule.append(.payload(.transport, offset: 2, length: 2, dreg: reg1))
            try rule.append(.cmp(.equal, reg: reg1, [UInt8(port >> 8), UInt8(port & 0xff)]))
        case let .markAnd(mask, value):
            try rule.append(.meta(key: UInt32(NFT_META_MARK.rawValue), dreg: reg1))
            try rule.append(.bitwise(reg: reg1, mask: hostBytes(mask)))
            try rule.append(.cmp(.equal, reg: reg1, hostBytes(value)))
        case let .vmap(key, map):
            try Self.load(key, into: rule)
            try rule.append(.lookup(set: map, id: nil, sreg: reg1, dreg: UInt32(NFT_REG_VERDICT.rawValue)))
        case let .lookup(key, set):
            try Self.load(key, into: rule)
            try rule.append(.lookup(set: set, id: nil, sreg: reg1, dreg: nil))
        case let .dnatMap(key, map):
            // The value (address . port) lands in reg 1's first two words, as nft lays it out.
            try Self.load(key, into: rule)
            try rule.append(.lookup(set: map, id: nil, sreg: reg1, dreg: reg1))
            try rule.append(.dnat(addressRegister: reg1, portRegister: reg32Base + 1, fromMap: true))
        case .numgenRandomIsZero(let modulus):
            try rule.append(.numgenRandom(modulus: modulus, dreg: reg1))
            try rule.append(.cmp(.equal, reg: reg1, hostBytes(UInt32(0))))
        case .setMarkOr(let bits):
            try rule.append(.meta(key: UInt32(NFT_META_MARK.rawValue), dreg: reg1))
            try rule.append(.bitwise(reg: reg1, mask: hostBytes(~bits), xor: hostBytes(bits)))
            try rule.append(.setMeta(key: UInt32(NFT_META_MARK.rawValue), sreg: reg1))
        case .setMarkXor(let bits):
            try rule.append(.meta(key: UInt32(NFT_META_MARK.rawValue), dreg: reg1))
            try rule.append(.bitwise(reg: reg1, mask: hostBytes(UInt32.max), xor: hostBytes(bits)))
            try rule.append(.setMeta(key: UInt32(NFT_META_MARK.rawValue), sreg: reg1))
        case let .update(set, field):
            try rule.append(.payload(.network, offset: field.offset, length: 4, dreg: reg1))
            let dynset = try NftExpression("dynset")
            dynset.set(NFTNL_EXPR_DYNSET_OP, u32: UInt32(NFT_DYNSET_OP_UPDATE.rawValue))
            dynset.set(NFTNL_EXPR_DYNSET_SREG_KEY, u32: reg1)
            dynset.set(NFTNL_EXPR_DYNSET_SET_NAME, string: set)
            rule.append(dynset)
        case .masquerade(let fullyRandom):
            let masq = try NftExpression("masq")
            if fullyRandom { masq.set(NFTNL_EXPR_MASQ_FLAGS, u32: UInt32(NF_NAT_RANGE_PROTO_RANDOM_FULLY)) }
            rule.append(masq)
        case .reject:
            let reject = try NftExpression("reject")
            reject.set(NFTNL_EXPR_REJECT_TYPE, u32: UInt32(NFT_REJECT_ICMP_UNREACH.rawValue))
            reject.set(NFTNL_EXPR_REJECT_CODE, u8: 3 /* ICMP_PORT_UNREACH */)
            rule.append(reject)
        case let .dnat(address, port):
            try rule.append(.immediate(reg: reg1, address.networkBytes))
            try rule.append(.immediate(reg: reg2, [UInt8(port >> 8), UInt8(port & 0xff)]))
            try rule.append(.dnat(addressRegister: reg1, portRegister: reg2, fromMap: false))
        case .verdict(let verdict):
            let immediate = try NftExpression("immediate")
            immediate.set(NFTNL_EXPR_IMM_DREG, u32: UInt32(NFT_REG_VERDICT.rawValue))
            immediate.set(NFTNL_EXPR_IMM_VERDICT, u32: UInt32(bitPattern: verdict.code))
            if let chain = verdict.chain { immediate.set(NFTNL_EXPR_IMM_CHAIN, string: chain) }
            rule.append(immediate)
        }
    }
}

extension Statement {
    /// Loads a concatenated key as nft does: the first field into reg 1, each further one into
    /// the next 4-byte register (reg 9, 10, ...), whatever its length.
    static func load(_ key: [KeyField], into rule: NftRule) throws(NetfilterError) {
        for (index, field) in key.enumerated() {
            let reg = index == 0 ? reg1 : reg32Base + UInt32(index)
            switch field {
            case .ipDaddr:
                try rule.append(.payload(.network, offset: AddressField.daddr.offset, length: 4, dreg: reg))
            case .ipSaddr:
                try rule.append(.payload(.network, offset: AddressField.saddr.offset, length: 4, dreg: reg))
            case .l4proto:
                try rule.append(.meta(key: UInt32(NFT_META_L4PROTO.rawValue), dreg: reg))
            case .thDport:
                try rule.append(.payload(.transport, offset: 2, length: 2, dreg: reg))
            case .ctOriginalIpDaddr:
                let ct = try NftExpression.ct(key: UInt32(NFT_CT_DST_IP.rawValue), dreg: reg)
                ct.set(NFTNL_EXPR_CT_DIR, u8: 0 /* IP_CT_DIR_ORIGINAL */)
                rule.append(ct)
            case .numgenRandom(let modulus):
                try rule.append(.numgenRandom(modulus: modulus, dreg: reg))
            }
        }
    }
}

/// A 32-bit value as it sits in a register: host byte order (marks, ct state, fib results).
func hostBytes(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value) { Array($0) } }

extension NftExpression {
    enum PayloadBase {
        case network
        case transport
    }

    static func payload(_ base: PayloadBase, offset: UInt32, length: UInt32, dreg: UInt32) throws(NetfilterError) -> NftExpression {
        let e = try NftExpression("payload")
        e.set(NFTNL_EXPR_PAYLOAD_DREG, u32: dreg)
        let code = base == .network ? NFT_PAYLOAD_NETWORK_HEADER : NFT_PAYLOAD_TRANSPORT_HEADER
        e.set(NFTNL_EXPR_PAYLOAD_BASE, u32: UInt32(code.rawValue))
        e.set(NFTNL_EXPR_PAYLOAD_OFFSET, u32: offset)
        e.set(NFTNL_EXPR_PAYLOAD_LEN, u32: length)
        return e
    }

    static func cmp(_ comparison: Statement.Comparison, reg: UInt32, _ data: [UInt8]) throws(NetfilterError) -> NftExpression {
        let e = try NftExpression("cmp")
        e.set(NFTNL_EXPR_CMP_SREG, u32: reg)
        e.set(NFTNL_EXPR_CMP_OP, u32: UInt32((comparison == .equal ? NFT_CMP_EQ : NFT_CMP_NEQ).rawValue))
        e.set(NFTNL_EXPR_CMP_DATA, bytes: data)
        return e
    }

    /// `reg = (reg & mask) ^ xor`.
    static func bitwise(reg: UInt32, mask: [UInt8], xor: [UInt8]? = nil) throws(NetfilterError) -> NftExpression {
        let e = try NftExpression("bitwise")
        e.set(NFTNL_EXPR_BITWISE_SREG, u32: reg)
        e.set(NFTNL_EXPR_BITWISE_DREG, u32: reg)
        e.set(NFTNL_EXPR_BITWISE_LEN, u32: UInt32(mask.count))
        e.set(NFTNL_EXPR_BITWISE_MASK, bytes: mask)
        e.set(NFTNL_EXPR_BITWISE_XOR, bytes: xor ?? [UInt8](repeating: 0, count: mask.count))
        return e
    }

    static func meta(key: UInt32, dreg: UInt32) throws(NetfilterError) -> NftExpression {
        let e = try NftExpression("meta")
        e.set(NFTNL_EXPR_META_KEY, u32: key)
        e.set(NFTNL_EXPR_META_DREG, u32: dreg)
        return e
    }

    static func setMeta(key: UInt32, sreg: UInt32) throws(NetfilterError) -> NftExpression {
        let e = try NftExpression("meta")
        e.set(NFTNL_EXPR_META_KEY, u32: key)
        e.set(NFTNL_EXPR_META_SREG, u32: sreg)
        return e
    }

    static func ct(key: UInt32, dreg: UInt32) throws(NetfilterError) -> NftExpression {
        let e = try NftExpression("ct")
        e.set(NFTNL_EXPR_CT_KEY, u32: key)
        e.set(NFTNL_EXPR_CT_DREG, u32: dreg)
        return e
    }

    static func lookup(set: String, id: UInt32?, sreg: UInt32, dreg: UInt32?) throws(NetfilterError) -> NftExpression {
        let e = try NftExpression("lookup")
        e.set(NFTNL_EXPR_LOOKUP_SREG, u32: sreg)
        if let dreg { e.set(NFTNL_EXPR_LOOKUP_DREG, u32: dreg) }
        e.set(NFTNL_EXPR_LOOKUP_SET, string: set)
        if let id { e.set(NFTNL_EXPR_LOOKUP_SET_ID, u32: id) }
        return e
    }

    /// IPv4 DNAT to the address in `addressRegister` and the port in `portRegister`, as nft
    /// emits it: for values a map lookup gave (`fromMap`) also as the range's end, with
    /// NF_NAT_RANGE_MAP_IPS.
    static func dnat(addressRegister: UInt32, portRegister: UInt32, fromMap: Bool) throws(NetfilterError) -> NftExpression {
        let e = try NftExpression("nat")
        e.set(NFTNL_EXPR_NAT_TYPE, u32: UInt32(NFT_NAT_DNAT.rawValue))
        e.set(NFTNL_EXPR_NAT_FAMILY, u32: UInt32(NFPROTO_IPV4))
        e.set(NFTNL_EXPR_NAT_REG_ADDR_MIN, u32: addressRegister)
        if fromMap { e.set(NFTNL_EXPR_NAT_REG_ADDR_MAX, u32: addressRegister) }
        e.set(NFTNL_EXPR_NAT_REG_PROTO_MIN, u32: portRegister)
        if fromMap { e.set(NFTNL_EXPR_NAT_REG_PROTO_MAX, u32: portRegister) }
        let flags = NF_NAT_RANGE_PROTO_SPECIFIED | (fromMap ? NF_NAT_RANGE_MAP_IPS : 0)
        e.set(NFTNL_EXPR_NAT_FLAGS, u32: UInt32(flags))
        return e
    }

    /// `numgen random mod N`: 0 ..< N into `dreg`, drawn afresh for each packet.
    static func numgenRandom(modulus: UInt32, dreg: UInt32) throws(NetfilterError) -> NftExpression {
        let e = try NftExpression("numgen")
        e.set(NFTNL_EXPR_NG_DREG, u32: dreg)
        e.set(NFTNL_EXPR_NG_MODULUS, u32: modulus)
        e.set(NFTNL_EXPR_NG_TYPE, u32: UInt32(NFT_NG_RANDOM.rawValue))
        e.set(NFTNL_EXPR_NG_OFFSET, u32: 0)
        return e
    }

    static func immediate(reg: UInt32, _ data: [UInt8]) throws(NetfilterError) -> NftExpression {
        let e = try NftExpression("immediate")
        e.set(NFTNL_EXPR_IMM_DREG, u32: reg)
        e.set(NFTNL_EXPR_IMM_DATA, bytes: data)
        return e
    }
}
