/// One atomic nftables transaction on the proxy's table, as a list of operations: the plan a
/// sync computes in pure code and `NetlinkRulesetWriter` sends as one netlink batch. The kernel
/// applies all of it or, when any operation fails, none of it.
public struct Transaction: Sendable, Hashable {
    public enum Operation: Sendable, Hashable, CustomStringConvertible {
        case addTable
        case deleteTable
        /// Creates the chain (name and, for a base chain, its hook); rules come separately.
        case addChain(Chain)
        /// Deletes every rule of the chain.
        case flushChain(String)
        case deleteChain(String)
        /// Creates the set or map (its definition; elements come separately).
        case addSet(NamedSet)
        case deleteSet(String)
        case addElements(set: String, [SetKey: ElementValue?])
        case deleteElements(set: String, [SetKey])
        /// Appends the rule to the chain.
        case addRule(chain: String, Rule)

        public var description: String {
            switch self {
            case .addTable: "add table"
            case .deleteTable: "delete table"
            case .addChain(let chain): "add chain \(chain.name)"
            case .flushChain(let name): "flush chain \(name)"
            case .deleteChain(let name): "delete chain \(name)"
            case .addSet(let set): "add \(set.isMap ? "map" : "set") \(set.name)"
            case .deleteSet(let name): "delete set \(name)"
            case let .addElements(set, elements): "add \(elements.count) element(s) to \(set)"
            case let .deleteElements(set, keys): "delete \(keys.count) element(s) from \(set)"
            case let .addRule(chain, rule): "add rule to chain \(chain): \(rule.render())"
            }
        }
    }

    /// The table every operation works on (family `ip`).
    public var table: String
    /// In order; a test may append a broken one on purpose.
    public var operations: [Operation]

    public init(table: String, operations: [Operation] = []) {
        self.table = table
        self.operations = operations
    }

    public var isEmpty: Bool { operations.isEmpty }

    /// Replaces whatever the table holds (left by an earlier run, or by nobody) with `ruleset`:
    /// add the table so that deleting it cannot fail, delete it with everything in it, create it
    /// again with its sets and maps, its chains, the map elements (which name chains), then the
    /// rules (which name sets and chains). Atomic, so packets never see a half-built table.
    public static func fullSync(_ ruleset: Ruleset) -> Transaction {
        var operations: [Operation] = [.addTable, .deleteTable, .addTable]
        operations += ruleset.sortedSets.map { .addSet($0.definition) }
        operations += ruleset.sortedChains.map { .addChain(Chain($0.name, base: $0.base)) }
        // Map elements name chains, so they go after every chain exists.
        operations += ruleset.sortedSets.compactMap { $0.elements.isEmpty ? nil : .addElements(set: $0.name, $0.elements) }
        operations += ruleset.sortedChains.flatMap { chain in chain.rules.map { .addRule(chain: chain.name, $0) } }
        return Transaction(table: ruleset.table, operations: operations)
    }

    /// What turns the applied `old` ruleset into `new`, touching only what differs: chains whose
    /// rules changed are flushed and written again, map elements are added and deleted one by
    /// one, chains and sets nothing refers to any more are deleted after the elements and rules
    /// that referred to them. Nil when only a full sync can do it (another table, or a base
    /// chain's hook or priority changed).
    ///
    /// The order within the transaction matters to the kernel, which counts references as each
    /// operation runs: create new chains; flush rewritten and removed chains; delete sets whose
    /// definition changed; delete stale elements; delete removed sets and chains; create new and
    /// changed sets with their elements; add new elements; add the rules of new and rewritten
    /// chains.
    public static func incremental(from old: Ruleset, to new: Ruleset) -> Transaction? {
        guard old.table == new.table else { return nil }
        for (name, chain) in new.chains where old.chains[name].map({ $0.base != chain.base }) ?? false {
            return nil
        }
        let addedChains = new.sortedChains.filter { old.chains[$0.name] == nil }
        let removedChains = old.sortedChains.filter { new.chains[$0.name] == nil }.map(\.name)
        let addedSets = new.sortedSets.filter { old.sets[$0.name] == nil }
        let removedSets = old.sortedSets.filter { new.sets[$0.name] == nil }.map(\.name)
        let redefinedSets = new.sortedSets.filter { set in
            old.sets[set.name].map { $0.definition != set.definition } ?? false
        }
        let redefinedNames = Set(redefinedSets.map(\.name))
        let keptSets = new.sortedSets.filter { set in
            old.sets[set.name].map { $0.definition == set.definition } ?? false
        }
        let rewrittenChains = new.sortedChains.filter { chain in
            guard let previous = old.chains[chain.name] else { return false }
            return previous.rules != chain.rules || !chain.referencedSets.isDisjoint(with: redefinedNames)
        }

        var operations: [Operation] = addedChains.map { .addChain(Chain($0.name, base: $0.base)) }
        operations += (rewrittenChains.map(\.name) + removedChains).map { .flushChain($0) }
        operations += redefinedSets.map { .deleteSet($0.name) }
        for set in keptSets {
            let before = old.sets[set.name]!.elements
            let stale = before.keys.filter { key in set.elements[key] != before[key] }.sorted()
            if !stale.isEmpty { operations.append(.deleteElements(set: set.name, stale)) }
        }
        operations += removedSets.map { .deleteSet($0) }
        operations += removedChains.map { .deleteChain($0) }
        operations += (addedSets + redefinedSets).sorted { $0.name < $1.name }.flatMap { set in
            [.addSet(set.definition)] + (set.elements.isEmpty ? [] : [.addElements(set: set.name, set.elements)])
        }
        for set in keptSets {
            let before = old.sets[set.name]!.elements
            let fresh = set.elements.filter { key, value in before[key] != value }
            if !fresh.isEmpty { operations.append(.addElements(set: set.name, fresh)) }
        }
        operations += (addedChains + rewrittenChains).sorted { $0.name < $1.name }.flatMap { chain in
            chain.rules.map { .addRule(chain: chain.name, $0) }
        }
        return Transaction(table: new.table, operations: operations)
    }
}
