import Foundation
import ServiceProxy

/// Service proxy benchmark: full sync through netlink vs `nft -f`, and one change among many.
/// Run by bench/proxy.sh inside network namespaces it creates (never the host's tables).
@main
struct ProxyBench {
    static func main() throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard arguments.count >= 2 else {
            FileHandle.standardError.write(Data("usage: clc-bench-proxy NETNS-PATH full|change COUNT...\n".utf8))
            exit(2)
        }
        let namespace = arguments[arguments.startIndex]
        let mode = arguments[arguments.startIndex + 1]
        let counts = arguments.dropFirst(2).compactMap { Int($0) }
        let writer = try NetlinkRulesetWriter(networkNamespace: namespace)
        for count in counts {
            switch mode {
            case "full":
                let state = Workload.state(services: count)
                let computeStart = ContinuousClock.now
                let ruleset = Ruleset.services(for: state)
                let compute = ContinuousClock.now - computeStart
                try writer.apply(Transaction(table: ruleset.table, operations: [.addTable, .deleteTable]))
                let start = ContinuousClock.now
                var sync = RulesetSync()
                try sync.sync(to: state, with: writer)
                let apply = ContinuousClock.now - start
                let path = FileManager.default.temporaryDirectory.appendingPathComponent("clc-bench-proxy-\(count).nft")
                try ruleset.render().write(to: path, atomically: true, encoding: .utf8)
                print("full \(count) compute_ms=\(compute.milliseconds) netlink_ms=\(apply.milliseconds) text=\(path.path)")
            case "change-dry":
                struct NoWriter: RulesetWriter { func apply(_ transaction: Transaction) throws(NetfilterError) {} }
                var state = Workload.state(services: count)
                var sync = RulesetSync()
                try sync.sync(to: state, with: NoWriter())
                var samples: [Double] = []
                for round in 0..<20 {
                    let index = (round * 7919) % count
                    state.services[index].endpoints[""]![1].ip = Workload.address(201, index, round: round + 1)
                    let start = ContinuousClock.now
                    try sync.sync(to: state, with: NoWriter())
                    samples.append((ContinuousClock.now - start).milliseconds)
                }
                samples.sort()
                print("change-dry \(count) median_ms=\(samples[samples.count / 2])")
            case "change":
                var state = Workload.state(services: count)
                var sync = RulesetSync()
                try sync.sync(to: state, with: writer)
                var samples: [(Double, Double)] = []
                for round in 0..<20 {
                    let index = (round * 7919) % count
                    state.services[index].endpoints[""]![1].ip = Workload.address(201, index, round: round + 1)
                    let start = ContinuousClock.now
                    try sync.sync(to: state, with: writer)
                    let end = ContinuousClock.now
                    samples.append(((end - start).milliseconds, (end - start).milliseconds))
                }
                let total = samples.map(\.0).sorted()
                let apply = samples.map(\.1).sorted()
                print("change \(count) total_median_ms=\(total[total.count / 2]) sync_median_ms=\(apply[apply.count / 2])")
            default:
                exit(2)
            }
        }
    }
}

enum Workload {
    /// An endpoint address for `index` that differs for each `round`.
    static func address(_ second: UInt8, _ index: Int, round: Int = 0) -> IPv4Address {
        IPv4Address(10, second &+ UInt8(round), UInt8((index >> 8) & 0xff), UInt8(index & 0xff))
    }

    static func state(services count: Int) -> ServiceProxyState {
        var services: [ProxiedService] = []
        for index in 0..<count {
            let clusterIP = IPv4Address(10, UInt8(100 + index >> 16), UInt8((index >> 8) & 0xff), UInt8(index & 0xff))
            services.append(
                ProxiedService(
                    namespace: "bench", name: "service-\(index)", clusterIP: clusterIP,
                    ports: [.init(port: 80, targetPort: .number(8080))],
                    endpoints: ["": [
                        .init(ip: address(200, index), port: 8080),
                        .init(ip: address(201, index), port: 8080),
                    ]]))
        }
        return ServiceProxyState(services: services, node: ProxyNodeSettings(clusterCIDR: IPv4CIDR("10.244.0.0/16")))
    }
}

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
}
