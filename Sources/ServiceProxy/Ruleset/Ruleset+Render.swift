extension Ruleset {
    /// The ruleset as nft text, in the layout `nft list table ip <table>` prints (nft 1.0.6):
    /// sets and maps by name, then chains by name, map elements by key. The same ruleset always
    /// gives the same text; `nft -f` loads it as is.
    public func render() -> String {
        var blocks: [String] = sortedSets.map { $0.render() }
        blocks += sortedChains.map { $0.render() }
        if blocks.isEmpty { return "table ip \(table) {\n}\n" }
        return "table ip \(table) {\n" + blocks.joined(separator: "\n") + "}\n"
    }
}

extension NamedSet {
    /// `\tmap name {\n ... \t}\n`.
    func render() -> String {
        var lines = ["\t\(isMap ? "map" : "set") \(name) {"]
        lines += declaration.map { "\t\t" + $0 }
        if !elements.isEmpty { lines.append("\t\telements = { " + Self.renderElements(elements) + " }") }
        lines.append("\t}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The definition's statements as nft prints them (`type ... : verdict`, `size`, `flags`,
    /// `timeout`), one a line; `add set` takes them separated by semicolons.
    public var declaration: [String] {
        var type = "type " + key.map(\.rawValue).joined(separator: " . ")
        switch mapping {
        case .verdict: type += " : verdict"
        case .data(let data): type += " : " + data.map(\.rawValue).joined(separator: " . ")
        case nil: break
        }
        if let typeof {
            type = "typeof " + typeof.key.map(\.text).joined(separator: " . ")
            if let data = typeof.data { type += " : " + data.map(\.text).joined(separator: " . ") }
        }
        var lines = [type]
        if let size { lines.append("size \(size)") }
        var flags: [String] = []
        if isDynamic { flags.append("dynamic") }
        if timeoutSeconds != nil { flags.append("timeout") }
        if !flags.isEmpty { lines.append("flags " + flags.joined(separator: ",")) }
        if let timeoutSeconds { lines.append("timeout \(renderDuration(seconds: timeoutSeconds))") }
        return lines
    }

    /// `key : verdict, ...`, `key : value, ...` (or just keys for a set), by key.
    public static func renderElements(_ elements: [SetKey: ElementValue?]) -> String {
        elements.keys.sorted().map { key in
            switch elements[key].flatMap({ $0 }) {
            case .verdict(let verdict): "\(key) : \(verdict.render())"
            case .data(let data): "\(key) : \(data)"
            case nil: key.description
            }
        }.joined(separator: ", ")
    }
}

extension Chain {
    /// `\tchain name {\n ... \t}\n`.
    func render() -> String {
        var lines = ["\tchain \(name) {"]
        if let base {
            lines.append("\t\ttype \(base.type.rawValue) hook \(base.hook.rawValue) priority \(base.renderPriority()); policy accept;")
        }
        lines += rules.map { "\t\t" + $0.render() }
        lines.append("\t}")
        return lines.joined(separator: "\n") + "\n"
    }
}

extension BaseChain {
    /// nft 1.0.6 prints the standard names only where they are defined for the hook: `dstnat`
    /// for nat prerouting, `srcnat` for nat postrouting; other priorities print as numbers.
    func renderPriority() -> String {
        switch (type, hook, priority) {
        case (.nat, .prerouting, BaseChain.dstnat): "dstnat"
        case (.nat, .postrouting, BaseChain.srcnat): "srcnat"
        default: String(priority)
        }
    }
}

extension Rule {
    /// The rule as one line of nft text.
    public func render() -> String { statements.map { $0.render() }.joined(separator: " ") }
}

extension Verdict {
    /// `accept`, `goto chain`, ... as nft prints and reads them.
    public func render() -> String {
        switch self {
        case .accept: "accept"
        case .drop: "drop"
        case .return: "return"
        case .jump(let chain): "jump \(chain)"
        case .goto(let chain): "goto \(chain)"
        }
    }
}

extension Statement {
    func render() -> String {
        switch self {
        case .ctStateNew: "ct state new"
        case .fibDaddrTypeLocal: "fib daddr type local"
        case let .ip(field, comparison, network):
            "ip \(field.rawValue) \(comparison == .notEqual ? "!= " : "")"
                + (network.prefixLength == 32 ? network.address.description : network.description)
        case .l4proto(let proto): "meta l4proto \(proto.rawValue)"
        case let .dport(proto, port): "\(proto.rawValue) dport \(port)"
        case let .markAnd(mask, value): "meta mark & \(hex8(mask)) == \(hex8(value))"
        case let .vmap(key, map): key.map(\.text).joined(separator: " . ") + " vmap @\(map)"
        case let .lookup(key, set): key.map(\.text).joined(separator: " . ") + " @\(set)"
        case let .dnatMap(key, map): "dnat ip to " + key.map(\.text).joined(separator: " . ") + " map @\(map)"
        case .numgenRandomIsZero(let modulus): "numgen random mod \(modulus) 0"
        case .setMarkOr(let bits): "meta mark set meta mark | \(hex8(bits))"
        case .setMarkXor(let bits): "meta mark set meta mark ^ \(hex8(bits))"
        case let .update(set, field): "update @\(set) { ip \(field.rawValue) }"
        case .masquerade(let fullyRandom): fullyRandom ? "masquerade fully-random" : "masquerade"
        case .reject: "reject"
        case let .dnat(address, port): "dnat to \(address):\(port)"
        case .verdict(let verdict): verdict.render()
        }
    }
}

extension Statement.KeyField {
    var text: String {
        switch self {
        case .ipDaddr: "ip daddr"
        case .ipSaddr: "ip saddr"
        case .l4proto: "meta l4proto"
        case .thDport: "th dport"
        case .ctOriginalIpDaddr: "ct original ip daddr"
        case .numgenRandom(let modulus): "numgen random mod \(modulus)"
        }
    }
}

/// `0x00004000`, as nft prints marks.
func hex8(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}

/// A duration as nft prints it: `3h`, `1d2h`, `90s` is `1m30s`.
func renderDuration(seconds: UInt32) -> String {
    if seconds == 0 { return "0s" }
    var rest = seconds
    var text = ""
    for (unit, size) in [("d", UInt32(86400)), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size {
        text += "\(rest / size)\(unit)"
        rest %= size
    }
    return text
}
