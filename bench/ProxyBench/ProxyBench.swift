import Foundation
import IPv4
import ServiceProxy

/// Service proxy benchmark, driven by bench/proxy.sh, which runs it under `ip netns exec` in
/// namespaces it creates (never the host's tables). Prints one `key=value` line per
/// measurement; proxy.sh turns them into the table.
///
///     clc-bench-proxy NETNS-PATH full COUNT... [--runs N]
///         first full sync of COUNT services (2 endpoints each) into an empty table, N times:
///         our netlink batch vs `nft -f -` of the rendered ruleset text, and of the same
///         transaction as nft commands (knftables' form); the table is deleted before each
///     clc-bench-proxy NETNS-PATH change COUNT... [--rounds N]
///         one service's endpoint replaced among COUNT, N times through netlink and N times
///         through `nft -f -` of the incremental commands, alternating; then the kernel's rules
///         of the last changed services are compared with the expected ones
///     clc-bench-proxy NETNS-PATH change-dry COUNT... [--rounds N]
///         the same change computed only (no kernel)
///     clc-bench-proxy NETNS-PATH serve COUNT --target I --endpoints IP:PORT,IP:PORT
///         programs COUNT services, service I with the given endpoints, and exits
@main
struct ProxyBench {
    struct Options {
        var namespace: String?
        var mode = ""
        var counts: [Int] = []
        var runs = 3
        var rounds = 20
        var target: Int?
        var endpoints: [ProxiedService.Endpoint] = []
    }

    static func main() {
        // A write to nft's stdin after it exited must fail with EPIPE, not kill us.
        signal(SIGPIPE, SIG_IGN)
        do {
            let options = try parse(Array(CommandLine.arguments.dropFirst()))
            switch options.mode {
            case "full": try full(options)
            case "change", "change-dry": try change(options, dry: options.mode == "change-dry")
            case "serve": try serve(options)
            default: throw Usage("unknown mode \(options.mode)")
            }
        } catch {
            FileHandle.standardError.write(Data("clc-bench-proxy: \(error)\n".utf8))
            exit(1)
        }
    }

    struct Usage: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var positional: [String] = []
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            func value() throws -> String {
                guard let next = iterator.next() else { throw Usage("\(argument) needs a value") }
                return next
            }
            switch argument {
            case "--runs": options.runs = Int(try value()) ?? 3
            case "--rounds": options.rounds = Int(try value()) ?? 20
            case "--target": options.target = Int(try value())
            case "--endpoints":
                options.endpoints = try value().split(separator: ",").map { item in
                    let parts = item.split(separator: ":")
                    guard parts.count == 2, let ip = IPv4Address(parts[0]), let port = UInt16(parts[1]) else {
                        throw Usage("--endpoints: \(item) is not IP:PORT")
                    }
                    return .init(ip: ip, port: port)
                }
            default: positional.append(argument)
            }
        }
        guard positional.count >= 3 else {
            throw Usage("usage: clc-bench-proxy NETNS-PATH full|change|change-dry|serve COUNT... [options]")
        }
        options.namespace = positional[0]
        options.mode = positional[1]
        options.counts = try positional.dropFirst(2).map { text in
            guard let count = Int(text), count > 0 else { throw Usage("\(text) is not a service count") }
            return count
        }
        return options
    }

    // MARK: Full sync

    static func full(_ options: Options) throws {
        let netlink = try NetlinkRulesetWriter(networkNamespace: options.namespace)
        let writer = TimedWriter(netlink: netlink)
        let table = ProxyNames.table
        let deleteTable = Transaction(table: table, operations: [.addTable, .deleteTable])
        for count in options.counts {
            let state = Workload.state(services: count)
            let renderStart = ContinuousClock.now
            let ruleset = Ruleset.services(for: state)
            let text = "add table ip \(table)\ndelete table ip \(table)\n" + ruleset.render()
            let render = ContinuousClock.now - renderStart
            let commands = Transaction.fullSync(ruleset).nftCommands
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("clc-bench-proxy-\(count).nft")
            try text.write(to: path, atomically: true, encoding: .utf8)
            emit(
                "ruleset count=\(count) chains=\(ruleset.chains.count) rules=\(ruleset.chains.values.map(\.rules.count).reduce(0, +)) "
                    + "map_elements=\(ruleset.sets.values.map(\.elements.count).reduce(0, +)) text_bytes=\(text.utf8.count) "
                    + "commands_bytes=\(commands.utf8.count) render_ms=\(fmt(render.ms)) text=\(path.path)")
            // Only at small sizes: listing 10,000 services costs nft seconds.
            let check = count <= 1000
            var listings: [String: [String]] = [:]
            for run in 1...options.runs {
                // Rotate the order so that neither path always runs right after a table delete
                // of the same size.
                let paths = ["netlink", "text", "commands"]
                let order = paths.indices.map { paths[($0 + run - 1) % paths.count] }
                var figures: [String: String] = [:]
                for path in order {
                    try netlink.apply(deleteTable)
                    switch path {
                    case "netlink":
                        var sync = RulesetSync()
                        let start = ContinuousClock.now
                        try sync.sync(to: state, with: writer)
                        let total = ContinuousClock.now - start
                        let record = writer.takeRecord()
                        figures["netlink_ms"] = fmt(total.ms)
                        figures["netlink_compute_ms"] = fmt((total - record.apply).ms)
                    case "text":
                        figures["nft_text_ms"] = fmt(try Nft.load(text).ms)
                    default:
                        figures["nft_commands_ms"] = fmt(try Nft.load(commands).ms)
                    }
                    if check, run == 1 { listings[path] = Nft.listTable(table).map(Nft.normalized) }
                }
                emit("full count=\(count) run=\(run) " + figures.keys.sorted().map { "\($0)=\(figures[$0]!)" }.joined(separator: " "))
            }
            if check {
                let same = listings["netlink"] != nil && listings["netlink"] == listings["text"] && listings["text"] == listings["commands"]
                emit("check count=\(count) kernel_listings_equal=\(same ? "yes" : "NO") items=\(listings["netlink"]?.count ?? 0)")
            }
        }
        try netlink.apply(deleteTable)
    }

    // MARK: One change

    /// The baseline's table: kube-proxy's layout, every service in one table.
    static let kubeProxyTable = "kube-proxy"

    static func change(_ options: Options, dry: Bool) throws {
        struct NoWriter: RulesetWriter { func apply(_ transactions: [Transaction]) throws(NetfilterError) {} }
        let netlink = dry ? nil : try NetlinkRulesetWriter(networkNamespace: options.namespace)
        let writer = netlink.map { TimedWriter(netlink: $0) }
        let deleteTable = Transaction(table: ProxyNames.table, operations: [.addTable, .deleteTable])
        for count in options.counts {
            // The same layout through netlink (ours) and through `nft -f` (kube-proxy's way,
            // the table renamed kube-proxy), each with its own copy of the services so each
            // change is one service for either.
            var states: [TimedWriter.Path: ServiceProxyState] = [.netlink: Workload.state(services: count), .nft: Workload.state(services: count)]
            var syncs: [TimedWriter.Path: RulesetSync] = [.netlink: RulesetSync(), .nft: RulesetSync()]
            let fullStart = ContinuousClock.now
            if let writer {
                try netlink!.apply(deleteTable)
                try syncs[.netlink]!.sync(to: states[.netlink]!, with: writer)
                _ = writer.takeRecord()
            } else {
                try syncs[.netlink]!.sync(to: states[.netlink]!, with: NoWriter())
            }
            let full = ContinuousClock.now - fullStart
            if let writer, !dry {
                writer.renameTables(to: kubeProxyTable)
                try syncs[.nft]!.sync(to: states[.nft]!, with: writer)
                writer.renameTables(to: nil)
                _ = writer.takeRecord()
            }
            var totals: [TimedWriter.Path: [Double]] = [:]
            var applies: [TimedWriter.Path: [Double]] = [:]
            var lastChanged: [TimedWriter.Path: Int] = [:]
            var sample: String?
            let paths: [TimedWriter.Path] = dry ? [.netlink] : [.netlink, .nft]
            for round in 0..<(options.rounds * paths.count) {
                // Alternate the paths, and which one goes first in each pair.
                let pair = round / paths.count
                let path = paths[(round + pair) % paths.count]
                let index = (round * 7919 + 13) % count
                states[path]!.services[index].endpoints[""]![1].ip = Workload.address(201, index, round: round + 1)
                writer?.use(path)
                writer?.renameTables(to: path == .nft ? kubeProxyTable : nil)
                // Ours is handed the changed service, as the agent's watch hands it over
                // (`sync(changes:)`); kube-proxy's baseline finds it in the whole state.
                let changed = states[path]!.services[index]
                let changes: [ServiceID: ProxiedService?] = [changed.id: changed]
                let node = states[path]!.node
                let start = ContinuousClock.now
                switch (writer, path) {
                case (let writer?, .netlink): try syncs[path]!.sync(changes: changes, node: node, with: writer)
                case (let writer?, _): try syncs[path]!.sync(to: states[path]!, with: writer)
                case (nil, _): try syncs[path]!.sync(changes: changes, node: node, with: NoWriter())
                }
                let total = ContinuousClock.now - start
                writer?.renameTables(to: nil)
                totals[path, default: []].append(total.ms)
                if let record = writer?.takeRecord() {
                    if let failure = record.failure { throw Usage("change through nft failed: \(failure)") }
                    applies[path, default: []].append(record.apply.ms)
                    if sample == nil, path == .nft, !record.transactions.isEmpty { sample = record.transactions.map(\.nftCommands).joined(separator: "\n") }
                }
                lastChanged[path] = index
            }
            var fields = ["count=\(count)", "rounds=\(options.rounds)", "full_sync_ms=\(fmt(full.ms))"]
            for path in paths {
                let total = totals[path] ?? []
                let label = dry ? "compute" : path.rawValue
                fields.append("\(label)_median_ms=\(fmt(median(total)))")
                fields.append("\(label)_p90_ms=\(fmt(percentile(total, 0.9)))")
                fields.append("\(label)_max_ms=\(fmt(total.max() ?? 0))")
                if let apply = applies[path] {
                    fields.append("\(path.rawValue)_apply_median_ms=\(fmt(median(apply)))")
                }
            }
            if !dry {
                // What the kernel holds for the services changed last by each path.
                var problems: [String] = []
                for (path, index) in lastChanged.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                    let state = states[path]!
                    let fragment = Ruleset.fragment(for: state.services[index], node: state.node)
                    let table = path == .nft ? kubeProxyTable : ProxyNames.table
                    for chain in fragment.sortedChains {
                        let kernel = try Nft.listRules(table: table, chain: chain.name)
                        if kernel != chain.rules.map({ $0.render() }) { problems.append(chain.name) }
                    }
                    for set in fragment.sortedSets where !set.elements.isEmpty {
                        let kernel = Set(try Nft.listElements(table: table, set: set))
                        let wanted = NamedSet.renderElements(set.elements).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                        if !wanted.allSatisfy(kernel.contains) { problems.append(set.name) }
                    }
                }
                fields.append("kernel_check=" + (problems.isEmpty ? "ok" : "MISMATCH:" + problems.joined(separator: ",")))
                fields.append("kernel_one_rule_median_ms=\(fmt(try oneRuleCost(netlink!)))")
            }
            emit("\(dry ? "change-dry" : "change") " + fields.joined(separator: " "))
            if let sample {
                for line in sample.split(separator: "\n") { emit("sample count=\(count) | \(line)") }
            }
        }
        if let netlink { try netlink.apply(deleteTable) }
    }

    /// What the kernel takes to commit one rule at the current table size, whatever we compute:
    /// a scratch chain nothing jumps to gets one rule (a jump, as a change adds) and loses it
    /// again, 5 times; the median of the adds.
    static func oneRuleCost(_ netlink: NetlinkRulesetWriter) throws -> Double {
        let table = ProxyNames.table
        let probe = "bench-probe"
        try netlink.apply(Transaction(table: table, operations: [.addChain(Chain(probe))]))
        var samples: [Double] = []
        for _ in 0..<5 {
            let start = ContinuousClock.now
            try netlink.apply(
                Transaction(table: table, operations: [.addRule(chain: probe, Rule(.verdict(.jump(ProxyNames.markForMasquerade))))]))
            samples.append((ContinuousClock.now - start).ms)
            try netlink.apply(Transaction(table: table, operations: [.flushChain(probe)]))
        }
        try netlink.apply(Transaction(table: table, operations: [.deleteChain(probe)]))
        return median(samples)
    }

    // MARK: Serve

    static func serve(_ options: Options) throws {
        guard let count = options.counts.first, let target = options.target, target < count, !options.endpoints.isEmpty else {
            throw Usage("serve COUNT --target I --endpoints IP:PORT,... (I < COUNT)")
        }
        let netlink = try NetlinkRulesetWriter(networkNamespace: options.namespace)
        let state = Workload.state(services: count, target: target, targetEndpoints: options.endpoints)
        var sync = RulesetSync()
        let start = ContinuousClock.now
        try sync.sync(to: state, with: netlink)
        let elapsed = ContinuousClock.now - start
        // This process now holds what an agent's proxy holds for `count` services (the state
        // and RulesetSync's applied fragments), and little else; after malloc_trim, what the
        // allocator kept of the sync's transient batch is given back.
        let rss = residentKilobytes()
        trimHeap()
        emit(
            "serve count=\(count) cluster_ip=\(Workload.clusterIP(target)) port=\(Workload.port) sync_ms=\(fmt(elapsed.ms)) "
                + "rss_kb=\(rss) rss_trimmed_kb=\(residentKilobytes())")
        withExtendedLifetime((state, sync)) {}
    }
}

/// One line on standard output, unbuffered: proxy.sh reads it while this process still runs.
func emit(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

/// glibc's malloc_trim(0): gives freed heap back to the kernel. Looked up at run time, as
/// Swift's Glibc module does not import malloc.h.
func trimHeap() {
    typealias MallocTrim = @convention(c) (Int) -> Int32
    // RTLD_DEFAULT is a null handle on glibc.
    guard let symbol = dlsym(nil, "malloc_trim") else { return }
    _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
}

/// VmRSS of this process, from /proc/self/status.
func residentKilobytes() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}

func median(_ values: [Double]) -> Double { percentile(values, 0.5) }

/// Nearest-rank percentile.
func percentile(_ values: [Double], _ fraction: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}

func fmt(_ value: Double) -> String { String(format: "%.2f", value) }

extension Duration {
    var ms: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
}
