// Lease acquisition with 250 leases present, under etcd's v2 and v3 APIs: what a node does
// at start (list the subnets, plan, create atomically), timed end to end through the same code
// the agent runs. Usage: clc-bench-lease ENDPOINT [RUNS]
import FlannelSubnet
import Foundation
import IPv4
import Logging

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: clc-bench-lease ENDPOINT [RUNS]\n".utf8))
    exit(2)
}
let endpoint = arguments[1]
let runs = arguments.count > 2 ? Int(arguments[2]) ?? 50 : 50
let leasesPresent = 250
let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })

func milliseconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) * 1000 + Double(attoseconds) / 1e15
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

for api in EtcdAPI.allCases {
    let prefix = "/clc-bench/\(UUID().uuidString.prefix(8))/network"
    let etcd = EtcdConfiguration(endpoints: [endpoint], prefix: prefix, api: api == .v2 ? .v2 : .v3)
    let registry: any SubnetRegistry = api == .v2 ? EtcdV2Registry(configuration: etcd) : EtcdV3Registry(configuration: etcd)
    let config = try NetworkConfig.parse(Array(#"{"Network":"10.1.0.0/16","Backend":{"Type":"host-gw"}}"#.utf8))

    // 250 other nodes' leases, written as flanneld writes them.
    for index in 1...leasesPresent {
        let subnet = IPv4Subnet(address: IPv4Address(config.network.address.value + UInt32(index) << 8), prefixLength: 24)
        let attributes = LeaseAttributes(publicIP: IPv4Address(0xC0A8_0000 + UInt32(index)), backendType: "host-gw")
        _ = try await registry.createLease(subnet, attributes: attributes, ttl: .seconds(3600))
    }

    let acquirer = LeaseAcquirer(registry: registry, logger: logger)
    var samples: [Double] = []
    for run in 0..<runs {
        let attributes = LeaseAttributes(publicIP: IPv4Address(0x0A63_0000 + UInt32(run)), backendType: "host-gw")
        let started = ContinuousClock.now
        let lease = try await acquirer.acquire(config: config, attributes: attributes, previous: nil)
        samples.append(milliseconds(ContinuousClock.now - started))
        try await registry.deleteLease(lease.subnet)
    }
    // Its two halves: the listing alone, and one atomic create alone.
    var lists: [Double] = []
    var creates: [Double] = []
    for run in 0..<runs {
        var started = ContinuousClock.now
        _ = try await registry.leases()
        lists.append(milliseconds(ContinuousClock.now - started))
        let subnet = IPv4Subnet(address: IPv4Address(config.network.address.value + UInt32(251 + run % 4) << 8), prefixLength: 24)
        started = ContinuousClock.now
        _ = try await registry.createLease(
            subnet, attributes: LeaseAttributes(publicIP: IPv4Address(0x0A64_0000 + UInt32(run)), backendType: "host-gw"), ttl: .seconds(86400))
        creates.append(milliseconds(ContinuousClock.now - started))
        try await registry.deleteLease(subnet)
    }
    lists.sort()
    creates.sort()
    let listed = try await registry.leases().leases.count
    samples.sort()
    print(String(
        format: "clc-node acquire  %@  %d leases present  runs %d  min %.2f ms  p50 %.2f ms  p90 %.2f ms  max %.2f ms",
        api.rawValue, listed, runs, samples[0], percentile(samples, 0.5), percentile(samples, 0.9), samples[samples.count - 1]))
    print(String(
        format: "  of which         %@  list p50 %.2f ms  atomic create p50 %.2f ms",
        api.rawValue, percentile(lists, 0.5), percentile(creates, 0.5)))
    print("PREFIX \(api.rawValue) \(prefix)")
}
