@testable import FlannelSubnet
import Foundation
import Logging
import IPv4

enum Fixtures {
    static let logger = Logger(label: "FlannelSubnetTests", factory: { _ in SwiftLogNoOpLogHandler() })

    static func subnet(_ text: String) -> IPv4Subnet { IPv4Subnet(requiringPrefix: text)! }
    static func ip(_ text: String) -> IPv4Address { IPv4Address(text)! }

    static func config(_ json: String) throws(NetworkConfigError) -> NetworkConfig { try NetworkConfig.parse(Array(json.utf8)) }

    static let hostGWConfig = #"{"Network":"10.1.0.0/16","Backend":{"Type":"host-gw"}}"#

    static func lease(_ subnet: String, _ publicIP: String, type: String = "host-gw") -> SubnetLease {
        SubnetLease(subnet: IPv4Subnet(requiringPrefix: subnet)!, attributes: LeaseAttributes(publicIP: IPv4Address(publicIP)!, backendType: type))
    }

    /// A fresh directory for files a test writes.
    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "clc-flannel-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// Waits for the first published state that satisfies `predicate`.
func waitForState(
    _ publisher: FlannelStatePublisher, timeout: Duration = .seconds(10), _ predicate: @escaping @Sendable (FlannelState) -> Bool
) async throws -> FlannelState {
    try await withThrowingTaskGroup(of: FlannelState?.self) { group in
        group.addTask {
            for await state in publisher.updates() where predicate(state) { return state }
            return nil
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let state = first else {
            throw TestTimeout(what: "a flannel state; last \(publisher.current)")
        }
        return state
    }
}
