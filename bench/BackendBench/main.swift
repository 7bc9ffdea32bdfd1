// Times programming the flannel backends for 250 remote leases from scratch, in a network
// namespace bench/backend.sh prepares (underlay u0 with 192.168.60.254/24): host-gw routes, then
// vxlan neighbour, FDB and route entries. Each run starts from an empty table (the previous
// run's entries deleted by a reconcile with no leases), so every figure is "from scratch".
//
//     clc-bench-backend NAMESPACE_PATH [LEASES] [RUNS]

import FlannelBackend
import Foundation
import IPv4
import Logging
import RouteNetlink

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: clc-bench-backend NAMESPACE_PATH [LEASES] [RUNS]\n".utf8))
    exit(2)
}
let namespace = arguments[1]
let leaseCount = arguments.count > 2 ? Int(arguments[2]) ?? 250 : 250
let runs = arguments.count > 3 ? Int(arguments[3]) ?? 20 : 20
let network = IPv4Network("10.1.0.0/16")!
let local = LocalLease(subnet: IPv4Network("10.1.0.0/24")!, publicIP: IPv4Address("192.168.60.254")!)
let logger: Logger = {
    var logger = Logger(label: "clc-bench-backend")
    logger.logLevel = .warning
    return logger
}()

func remotes(_ type: String) -> [RemoteLease] {
    (1...leaseCount).map { i in
        RemoteLease(
            subnet: IPv4Network(IPv4Address(10, 1, UInt8(i), 0), prefixLength: 24)!, publicIP: IPv4Address(192, 168, 60, UInt8(i)),
            backendType: type, vtepMAC: String(format: "0e:00:00:00:%02x:%02x", i >> 8, i & 0xff))
    }
}

func measure(_ name: String, _ kind: BackendKind) throws {
    let executor = BackendExecutor(
        network: network, local: local, kind: kind, netlink: try Rtnetlink(networkNamespace: namespace), logger: logger)
    try executor.setUp()
    let leases = remotes(kind.typeName)
    var times: [Double] = []
    var changes = 0
    for _ in 0..<runs {
        try executor.reconcile([])
        let start = ContinuousClock.now
        changes = try executor.reconcile(leases).count
        let elapsed = ContinuousClock.now - start
        times.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
    }
    // One lease more with the others in place: what a lease added elsewhere costs.
    let extra = RemoteLease(
        subnet: IPv4Network("10.1.251.0/24")!, publicIP: IPv4Address(192, 168, 60, 251), backendType: kind.typeName,
        vtepMAC: "0e:00:00:00:00:fb")
    var addTimes: [Double] = []
    for _ in 0..<runs {
        try executor.reconcile(leases)
        let start = ContinuousClock.now
        _ = try executor.reconcile(leases + [extra])
        let elapsed = ContinuousClock.now - start
        addTimes.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
    }
    try executor.reconcile([])
    addTimes.sort()
    times.sort()
    print(
        String(
            format: "clc-node %@: %d leases, %d changes from scratch: median %.2f ms, min %.2f ms, max %.2f ms (%d runs)", name,
            leaseCount, changes, times[times.count / 2], times[0], times[times.count - 1], runs))
    print(
        String(
            format: "clc-node %@: one lease added to %d (reconcile incl. listing and diff): median %.2f ms, max %.2f ms", name,
            leaseCount, addTimes[addTimes.count / 2], addTimes[addTimes.count - 1]))
}

do {
    try measure("host-gw", .hostGateway)
    try measure("vxlan", .vxlan(VXLANSettings()))
} catch {
    FileHandle.standardError.write(Data("clc-bench-backend: \(error)\n".utf8))
    exit(1)
}
