// libFuzzer's entry points for every fuzz target of clc-node (see Tests/Fuzz/README.md). Built
// only with CLC_FUZZ=1 and `--sanitize fuzzer --sanitize address` (scripts/fuzz.sh): libFuzzer
// supplies `main`, this module is compiled with -parse-as-library so that it has none.
import Foundation

/// The target this process fuzzes, from CLC_FUZZ_TARGET (checked once, before the first input).
nonisolated(unsafe) private var selected: FuzzTarget = .manifest  // written once in LLVMFuzzerInitialize, before any input; libFuzzer runs inputs on one thread

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
    guard let value = getenv("CLC_FUZZ_TARGET").map({ String(cString: $0) }), let target = FuzzTarget(rawValue: value) else {
        FileHandle.standardError.write(Data("clc-fuzz: set CLC_FUZZ_TARGET to one of: \(names)\n".utf8))
        exit(2)
    }
    selected = target
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
    selected.run(bytes)
    return 0
}

/// One fuzz target: a parser of outside input the agent reads, fed any bytes. A crash, a trap
/// or an address-sanitizer report is a bug of the agent.
enum FuzzTarget: String, CaseIterable {
    /// Manifest files (JSON or YAML; Pod, List, ReplicationController, Service) as the manifest
    /// directory's scanner reads them, and the Docker create requests of the pods they give.
    case manifest
    /// Resource quantities: parsing, comparison, cgroup limits and downward API values.
    case quantity
    /// Lines of a Kubernetes watch stream applied to the reflectors' stores.
    case watchEvent = "watch-event"
    /// Lines of the Docker engine's event stream.
    case dockerEvent = "docker-event"
    /// A kubeconfig file (`--kubeconfig`).
    case kubeconfig
    /// ctnetlink dump answers and nftables acknowledgements, as the service proxy reads them.
    case conntrack
    /// rtnetlink answers (links, addresses, routes, neighbours, FDB, errors) of the flannel
    /// backends.
    case rtnetlink
    /// A pod's answer to an HTTP probe.
    case probeResponse = "probe-response"

    func run(_ bytes: UnsafeRawBufferPointer) {
        switch self {
        case .manifest: ManifestFuzz.run(bytes)
        case .quantity: QuantityFuzz.run(bytes)
        case .watchEvent: WatchEventFuzz.run(bytes)
        case .dockerEvent: DockerEventFuzz.run(bytes)
        case .kubeconfig: KubeconfigFuzz.run(bytes)
        case .conntrack: ConntrackFuzz.run(bytes)
        case .rtnetlink: RtnetlinkFuzz.run(bytes)
        case .probeResponse: ProbeResponseFuzz.run(bytes)
        }
    }
}
