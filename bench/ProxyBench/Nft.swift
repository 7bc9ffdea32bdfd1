import Foundation
import ServiceProxy

/// The `nft` command, the baseline: kube-proxy's nftables mode writes each sync as text and
/// runs `nft -f -` on it. Runs in the caller's network namespace (the benchmark itself runs
/// under `ip netns exec`).
enum Nft {
    struct Failure: Error, CustomStringConvertible {
        var arguments: [String]
        var status: Int32
        var stderr: String
        var description: String { "nft \(arguments.joined(separator: " ")) exited with \(status): \(stderr)" }
    }

    static let path = ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"].first { FileManager.default.isExecutableFile(atPath: $0) }
        ?? "nft"

    /// Runs `nft -f -` with `text` on its standard input.
    /// - Returns: the time from spawning nft to its exit (the kernel has committed by then).
    @discardableResult
    static func load(_ text: String) throws -> Duration {
        let start = ContinuousClock.now
        _ = try run(["-f", "-"], input: Data(text.utf8))
        return ContinuousClock.now - start
    }

    /// Runs nft with `arguments`, returns its standard output (and error, merged).
    static func run(_ arguments: [String], input: Data? = nil) throws -> String {
        let result = try Subprocess.run([path] + arguments, input: input)
        guard result.status == 0 else {
            throw Failure(arguments: arguments, status: result.status, stderr: String(decoding: result.output, as: UTF8.self))
        }
        return String(decoding: result.output, as: UTF8.self)
    }

    /// `nft list table ip NAME`, or nil when there is no such table.
    static func listTable(_ name: String) -> String? {
        try? run(["list", "table", "ip", name])
    }

    /// The rules of one chain as the kernel lists them, one line each.
    static func listRules(table: String, chain: String) throws -> [String] {
        let text = try run(["list", "chain", "ip", table, chain])
        return text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { line in
            !line.isEmpty && !line.hasPrefix("table ") && !line.hasPrefix("chain ") && line != "}"
        }
    }

    /// The elements of a set or map as nft prints them (`key : value`), one an item.
    static func listElements(table: String, set: NamedSet) throws -> [String] {
        let text = try run(["list", set.isMap ? "map" : "set", "ip", table, set.name])
        guard let start = text.range(of: "elements = {") else { return [] }
        let body = text[start.upperBound...].prefix { $0 != "}" }
        return body.split(whereSeparator: { $0 == "," || $0 == "\n" }).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    /// A listing as a sorted list of its items (lines, and map elements split at commas), so
    /// that two listings of the same table compare equal whatever order the kernel keeps
    /// elements in.
    static func normalized(_ listing: String) -> [String] {
        listing.split(whereSeparator: { $0 == "\n" || $0 == "," }).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.sorted()
    }
}

extension Transaction {
    /// The transaction as nft commands (`add chain ip T C`, `add rule ip T C ...`,
    /// `add element ip T M { k : goto c }`), in its order: what kube-proxy's nftables mode
    /// (through knftables) hands to `nft -f -` for the same change.
    var nftCommands: String {
        let t = "ip \(table)"
        var lines: [String] = []
        lines.reserveCapacity(operations.count)
        for operation in operations {
            switch operation {
            case .addTable: lines.append("add table \(t)")
            case .deleteTable: lines.append("delete table \(t)")
            case .addChain(let chain):
                if let base = chain.base {
                    let hook = "type \(base.type.rawValue) hook \(base.hook.rawValue) priority \(base.priority)"
                    lines.append("add chain \(t) \(chain.name) { \(hook); policy accept; }")
                } else {
                    lines.append("add chain \(t) \(chain.name)")
                }
            case .flushChain(let name): lines.append("flush chain \(t) \(name)")
            case .deleteChain(let name): lines.append("delete chain \(t) \(name)")
            case .addSet(let set):
                lines.append("add \(set.isMap ? "map" : "set") \(t) \(set.name) { \(set.declaration.joined(separator: "; ")); }")
            case .deleteSet(let name): lines.append("delete set \(t) \(name)")
            case let .addElements(set, elements):
                lines.append("add element \(t) \(set) { \(NamedSet.renderElements(elements)) }")
            case let .deleteElements(set, keys):
                lines.append("delete element \(t) \(set) { \(keys.map(\.description).joined(separator: ", ")) }")
            case let .addRule(chain, rule): lines.append("add rule \(t) \(chain) \(rule.render())")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
