/// The desired content of one nftables table of family `ip`: its chains and its named sets and
/// maps. A value computed from the proxy's state (`Ruleset.services(for:)`), rendered as nft
/// text (`render()`) and applied through netlink (`Transaction`, `NetlinkRulesetWriter`).
public struct Ruleset: Sendable, Hashable {
    /// The table's name; the family is always `ip`.
    public var table: String
    public var chains: [String: Chain]
    /// Named sets and maps by name.
    public var sets: [String: NamedSet]

    public init(table: String, chains: [Chain] = [], sets: [NamedSet] = []) {
        self.table = table
        self.chains = Dictionary(chains.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.sets = Dictionary(sets.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// Adds (or replaces) a chain.
    public mutating func add(_ chain: Chain) { chains[chain.name] = chain }

    /// Adds (or replaces) a set or map.
    public mutating func add(_ set: NamedSet) { sets[set.name] = set }

    /// Chains in the order they are rendered and created: by name.
    public var sortedChains: [Chain] { chains.values.sorted { $0.name < $1.name } }

    /// Sets and maps in the order they are rendered and created: by name.
    public var sortedSets: [NamedSet] { sets.values.sorted { $0.name < $1.name } }
}

/// A chain: a base chain hooked into netfilter, or a regular chain reached by jump or goto.
public struct Chain: Sendable, Hashable {
    public var name: String
    /// Set for base chains.
    public var base: BaseChain?
    public var rules: [Rule]

    public init(_ name: String, base: BaseChain? = nil, rules: [Rule] = []) {
        self.name = name
        self.base = base
        self.rules = rules
    }

    /// Chains this chain's rules jump or go to.
    public var referencedChains: Set<String> { Set(rules.flatMap(\.referencedChains)) }

    /// Named sets and maps this chain's rules use.
    public var referencedSets: Set<String> { Set(rules.flatMap(\.referencedSets)) }
}

/// Where a base chain hooks in.
public struct BaseChain: Sendable, Hashable {
    public enum ChainType: String, Sendable, Hashable {
        case filter
        case nat
    }

    public enum Hook: String, Sendable, Hashable {
        case prerouting
        case input
        case forward
        case output
        case postrouting

        /// The netfilter hook number (NF_INET_*).
        var number: UInt32 {
            switch self {
            case .prerouting: 0
            case .input: 1
            case .forward: 2
            case .output: 3
            case .postrouting: 4
            }
        }
    }

    /// `dstnat`: where destination NAT runs (-100).
    public static let dstnat: Int32 = -100
    /// `srcnat`: where source NAT runs (100).
    public static let srcnat: Int32 = 100

    public var type: ChainType
    public var hook: Hook
    public var priority: Int32

    public init(type: ChainType, hook: Hook, priority: Int32) {
        self.type = type
        self.hook = hook
        self.priority = priority
    }
}

/// A rule: statements evaluated left to right.
public struct Rule: Sendable, Hashable {
    public var statements: [Statement]

    public init(_ statements: [Statement]) { self.statements = statements }

    public init(_ statements: Statement...) { self.statements = statements }

    public var referencedChains: [String] { statements.flatMap(\.referencedChains) }

    public var referencedSets: [String] { statements.compactMap(\.referencedSet) }
}

/// A verdict: what happens to the packet next.
public enum Verdict: Sendable, Hashable {
    case accept
    case drop
    case `return`
    /// Evaluate the chain, then come back.
    case jump(String)
    /// Evaluate the chain and do not come back.
    case goto(String)

    /// The chain a jump or goto targets.
    public var chain: String? {
        switch self {
        case .jump(let name), .goto(let name): name
        case .accept, .drop, .return: nil
        }
    }
}
