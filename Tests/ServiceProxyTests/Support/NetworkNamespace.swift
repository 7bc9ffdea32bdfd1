import Foundation
import TestSupport

/// A scratch network namespace (`ip netns add clcproxy-test-<random>`), removed by `remove()`.
/// Everything the kernel tests program lives in one of these, never in the host's namespace.
final class NetworkNamespace: Sendable {
    let name: String
    var path: String { "/var/run/netns/\(name)" }

    /// Root, `ip` and `nft` present: the kernel tests can run.
    static let isAvailable: Bool = {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")
            && FileManager.default.isExecutableFile(atPath: "/usr/sbin/nft")
    }()

    init(prefix: String = "clcproxy-test") throws {
        name = "\(prefix)-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        try Self.run("/usr/sbin/ip", ["netns", "add", name])
        try exec("ip", "link", "set", "lo", "up")
    }

    func remove() { _ = try? Self.run("/usr/sbin/ip", ["netns", "delete", name]) }

    /// Runs a command inside the namespace; returns its standard output.
    /// - Throws: `CommandError` when it exits with a status other than 0.
    @discardableResult
    func exec(_ arguments: String...) throws -> String {
        try Self.run("/usr/sbin/ip", ["netns", "exec", name] + arguments)
    }

    /// `nft list table ip clc-proxy` inside the namespace.
    func listTable(_ table: String = "clc-proxy") throws -> String {
        try exec("nft", "list", "table", "ip", table)
    }

    typealias CommandError = ScratchNamespace.CommandError

    /// Runs a host command and returns its standard output (TestSupport's, shared with the
    /// netlink targets' kernel tests).
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        try ScratchNamespace.run(executable, arguments)
    }
}
