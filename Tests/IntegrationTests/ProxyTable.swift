import Foundation

/// The agent's nftables table `ip clc-proxy` in the root namespace, as `nft` lists it. Only this
/// table is ever read or deleted; no other table or chain of the host is touched.
enum ProxyTable {
    private static let nft = "/usr/sbin/nft"

    /// `nft list table ip clc-proxy`.
    static func listing() async throws -> String {
        try await HostCommand.check(nft, ["list", "table", "ip", "clc-proxy"])
    }

    /// `nft list map ip clc-proxy <map>`.
    static func map(_ name: String) async throws -> String {
        try await HostCommand.check(nft, ["list", "map", "ip", "clc-proxy", name])
    }

    /// `nft list set ip clc-proxy <set>`.
    static func set(_ name: String) async throws -> String {
        try await HostCommand.check(nft, ["list", "set", "ip", "clc-proxy", name])
    }

    /// Whether the table exists.
    static func exists() async throws -> Bool {
        try await HostCommand.run(nft, ["list", "table", "ip", "clc-proxy"]).succeeded
    }

    /// Deletes the table if it exists.
    /// - Throws: ``HostCommand/Failure`` when it exists and cannot be deleted.
    static func delete() async throws {
        guard try await exists() else { return }
        try await HostCommand.check(nft, ["delete", "table", "ip", "clc-proxy"])
    }

    /// The listing as a sorted list of items, each rule, declaration line and map element on its
    /// own and prefixed by the block that holds it: two listings give the same items when the
    /// table holds the same things, however the kernel orders and wraps them, and anything the
    /// table holds twice is an item listed twice.
    static func items(_ listing: String) -> [String] {
        var lines: [String] = []
        for raw in listing.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            // nft wraps long element lists after a comma.
            if let last = lines.last, last.hasSuffix(",") {
                lines[lines.count - 1] = last + " " + line
            } else {
                lines.append(line)
            }
        }
        var items: [String] = []
        var block = ""
        for line in lines {
            if line.hasSuffix("{"), !line.contains("=") {
                if line.hasPrefix("table ") { continue }
                block = line
            } else if line == "}" {
                block = ""
            } else if line.hasPrefix("elements = {"), line.hasSuffix("}") {
                let inner = line.dropFirst("elements = {".count).dropLast()
                for element in inner.split(separator: ",") {
                    items.append("\(block) element \(element.trimmingCharacters(in: .whitespaces))")
                }
            } else {
                items.append("\(block) \(line)")
            }
        }
        return items.sorted()
    }

    /// How many cluster IP ports the set `cluster-ips` holds: one per service port served
    /// through slots.
    static func servedClusterPorts() async throws -> Int {
        let listing = try await set("cluster-ips")
        guard let start = listing.range(of: "elements = {") else { return 0 }
        return listing[start.upperBound...].prefix { $0 != "}" }.split(separator: ",").count
    }
}
