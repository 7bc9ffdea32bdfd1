// swift-tools-version:6.1
import Foundation
import PackageDescription

/// What `clc-node version` reports of the build: the commit of the checkout being built (or
/// CLC_NODE_GIT_COMMIT, for a build from a tarball), and the versions pkg-config gives for C
/// libraries that do not tell theirs at run time.
let gitCommit =
    Context.environment["CLC_NODE_GIT_COMMIT"]
    ?? Context.gitInformation.map { $0.currentCommit + ($0.hasUncommittedChanges ? "-dirty" : "") } ?? "unknown"

func pkgConfigVersion(_ module: String) -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["pkg-config", "--modversion", module]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return "unknown" }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return process.terminationStatus == 0 && !text.isEmpty ? text : "unknown"
}

let buildInfoDefines: [CSetting] = [
    .define("CLC_GIT_COMMIT", to: "\"\(gitCommit)\""),
    .define("CLC_LIBNFTNL_VERSION", to: "\"\(pkgConfigVersion("libnftnl"))\""),
    .define("CLC_LIBMNL_VERSION", to: "\"\(pkgConfigVersion("libmnl"))\""),
    .define("CLC_LIBSYSTEMD_VERSION", to: "\"\(pkgConfigVersion("libsystemd"))\""),
]

/// The agent's link, for its resident memory (measured in the README's "Footprint"): lld with
/// packed relative relocations (DT_RELR, glibc 2.36+) instead of gold's 3.2 MB of RELA entries
/// that every start reads, and no export of the agent's own symbols (1.5 MB of .dynsym and hash
/// tables the loader touched); nothing looks them up (no dlsym of the executable).
let agentLinkerSettings: [LinkerSetting] = [
    .unsafeFlags(
        ["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"],
        .when(platforms: [.linux]))
]

/// clc-node: the kubelet and kube-proxy of a Kubernetes worker node, in Swift.
///
/// Modules follow responsibilities: the Kubernetes v1 model (KubeAPI), an HTTP transport over
/// libcurl (CurlHTTP), the Docker engine client (DockerEngine), pod sync (PodRuntime), probes,
/// the nftables service proxy, the flannel subnet lease, and the executable that wires them.
let package = Package(
    name: "clc-node",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "clc-node", targets: ["clc-node"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Without its default traits: no swift-configuration (0.3 MB of resident code) and no
        // Foundation-only URL form coders, neither of which the agent uses.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.1.4"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        // Without its Foundation trait: the agent needs no Data from it.
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2", traits: []),
    ],
    targets: [
        // C libraries, each behind a system-library target with a tiny inline shim for the
        // variadic functions and macros that Swift cannot import.
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CSystemd", pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(
            name: "CNetfilter", pkgConfig: "libnftnl",
            providers: [.apt(["libnftnl-dev", "libmnl-dev"])]),
        .systemLibrary(
            name: "CMnl", pkgConfig: "libmnl",
            providers: [.apt(["libmnl-dev"])]),
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),

        .target(
            name: "KubeAPI",
            dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(
            name: "CurlHTTP",
            dependencies: ["CCurl", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "DockerEngine",
            dependencies: ["CurlHTTP", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "MasterClient",
            dependencies: [
                "AgentTime", "KubeAPI", "CurlHTTP", .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]),
        .target(
            name: "MasterSync",
            dependencies: [
                "KubeAPI", "MasterClient", "PodRuntime", "AgentTime", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .target(
            name: "Probes",
            dependencies: [
                "KubeAPI", "CEpoll", .product(name: "Logging", package: "swift-log"),
                // The probe reactor's deadlines.
                .product(name: "HeapModule", package: "swift-collections"),
                // HTTPS probes, and probes of a host name.
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]),
        // What feeds systemd's watchdog: the liveness of the agent's own loops, decided purely.
        .target(name: "AgentWatchdog"),
        // Time for the agent's own waits: the steady clock and the one retry back-off.
        .target(name: "AgentTime"),
        .testTarget(name: "AgentTimeTests", dependencies: ["AgentTime"]),
        .testTarget(name: "AgentWatchdogTests", dependencies: ["AgentWatchdog"]),
        .testTarget(
            name: "ProbesTests",
            dependencies: [
                "Probes", "KubeAPI", "NodeServer", "TestSockets", "GlobalPoolWatch", .product(name: "Logging", package: "swift-log"),
                // An HTTPS server with a self-signed certificate, for HTTPS probes.
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]),
        .target(
            name: "PodRuntime",
            dependencies: [
                "IPv4", "KubeAPI", "DockerEngine", "Probes", "AgentTime",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .target(
            name: "ServiceProxy",
            dependencies: [
                "IPv4", "AgentTime", "KubeAPI", "CNetfilter", "MnlSocket", .product(name: "Logging", package: "swift-log"),
                // SHA-256 of chain names; the agent links swift-crypto for the node server anyway.
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // iptables for Docker's DOCKER-USER chain.
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]),
        .target(
            name: "AgentMetrics",
            dependencies: [
                "AgentTime", .product(name: "Prometheus", package: "swift-prometheus"), .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]),
        // kubelet's node API (10250 HTTPS, 10248 healthz) on Hummingbird: certificates,
        // authentication and authorization, routes, and the WebSocket and SPDY upgrades that hand
        // a connection to a StreamingResponder.
        .target(
            name: "NodeServer",
            dependencies: [
                "KubeAPI", "MasterClient", "CurlHTTP", "StreamingProtocol",
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "WSCore", package: "swift-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .testTarget(
            name: "NodeServerTests",
            dependencies: [
                "NodeServer", "KubeAPI", "StreamingProtocol", "CurlHTTP", "MasterClient",
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // Container and node statistics without a cAdvisor daemon: cgroup v1/v2 readers, a
        // sampler, kubelet's /stats/summary and cAdvisor's /metrics/cadvisor, /metrics/resource.
        .target(
            name: "NodeStats",
            dependencies: [
                "KubeAPI", "DockerEngine", "PodRuntime", "Probes", "AgentMetrics", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .testTarget(
            name: "NodeStatsTests",
            dependencies: [
                "NodeStats", "DockerEngine", "PodRuntime", "Probes", "AgentMetrics", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // rtnetlink (links, addresses, routes, neighbours, FDB) over libmnl, for the flannel
        // backends.
        .target(name: "RouteNetlink", dependencies: ["CMnl", "MnlSocket", "IPv4"]),
        // The netlink socket over libmnl that RouteNetlink and ServiceProxy share (opening it in
        // another network namespace, acks, buffers, timeouts).
        .target(name: "MnlSocket", dependencies: ["CMnl"]),
        // The one IPv4 address type of the proxy, the flannel lease and rtnetlink.
        .target(name: "IPv4"),
        // The seam between the node server (HTTP, TLS, upgrades) and the exec, attach and
        // port-forward sessions: plain Swift types, so neither side depends on the other.
        .target(name: "StreamingProtocol"),
        // SPDY/3.1 as kubectl and kube-apiserver speak it for exec, attach and port-forward:
        // frames, zlib header blocks with the SPDY/3 dictionary, a sans-I/O server session.
        .target(name: "SPDY", dependencies: ["CZlib"]),
        .testTarget(name: "SPDYTests", dependencies: ["SPDY", "TestSockets"]),
        .executableTarget(name: "clc-bench-spdy", dependencies: ["SPDY"], path: "bench/SPDYBench"),
        // kubelet's /containerLogs: PodLogOptions, the instance asked for, the engine's stream.
        .target(
            name: "ContainerLogs",
            dependencies: ["KubeAPI", "DockerEngine", "PodRuntime"]),
        .testTarget(
            name: "ContainerLogsTests",
            dependencies: ["ContainerLogs", "KubeAPI", "DockerEngine", "PodRuntime", "TestSupport"]),
        // setns(2) for dialing into a pod's network namespace (declared only under _GNU_SOURCE).
        .systemLibrary(name: "CNamespace"),
        // epoll(7) and eventfd(2) for the probe reactor (Glibc's module has neither).
        .systemLibrary(name: "CEpoll"),
        // glibc's mallopt(3): the agent caps its malloc arenas (clc-node's Run).
        .target(name: "CMemory"),
        // The pages the agent no longer uses, given back: start-up's code and data, malloc's free memory.
        .target(
            name: "AgentMemory",
            dependencies: [
                "CMemory", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .testTarget(name: "AgentMemoryTests", dependencies: ["AgentMemory"]),
        // kubelet's exec, attach and port-forward sessions over WebSocket and SPDY: Docker's
        // hijacked streams, and connections dialed inside the pod's network namespace.
        .target(
            name: "NodeStreaming",
            dependencies: [
                "StreamingProtocol", "SPDY", "DockerEngine", "CurlHTTP", "CNamespace",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "NodeStreamingTests",
            dependencies: [
                "NodeStreaming", "StreamingProtocol", "SPDY", "DockerEngine", "CurlHTTP", "TestSupport", "TestSockets",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "RouteNetlinkTests", dependencies: ["RouteNetlink", "IPv4", "TestSupport"]),
        // flannel's host-gw and vxlan backends and its ip-masq rules: plans from leases, and the
        // executors that program them through RouteNetlink and the proxy's nftables writer.
        .target(
            name: "FlannelBackend",
            dependencies: [
                "IPv4", "RouteNetlink", "ServiceProxy", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .testTarget(
            name: "FlannelBackendTests",
            dependencies: ["FlannelBackend", "RouteNetlink", "ServiceProxy", "IPv4", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        .executableTarget(name: "clc-bench-backend", dependencies: ["FlannelBackend", "RouteNetlink", "IPv4"], path: "bench/BackendBench"),
        .target(
            name: "FlannelSubnet",
            dependencies: [
                "IPv4", "CurlHTTP", "KubeAPI", "AgentTime", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // kubelet-compatible configuration: kubelet's flag names, and a KubeletConfiguration
        // file merged under the command line's flags.
        .target(name: "AgentConfig", dependencies: [.product(name: "Yams", package: "Yams")]),
        // The build's commit and library versions for `clc-node version`.
        .target(name: "CBuildInfo", dependencies: ["CCurl", "CZlib"], cSettings: buildInfoDefines),
        .testTarget(name: "AgentConfigTests", dependencies: ["AgentConfig"]),
        .executableTarget(
            name: "clc-node",
            dependencies: [
                "AgentConfig", "CBuildInfo", "IPv4", "KubeAPI", "CurlHTTP", "DockerEngine", "PodRuntime", "Probes", "ServiceProxy", "MasterClient", "MasterSync",
                "FlannelSubnet", "FlannelBackend", "RouteNetlink", "AgentTime", "CSystemd", "AgentMetrics", "ContainerLogs", "NodeStreaming",
                "NodeServer", "StreamingProtocol", "NodeStats", "AgentWatchdog", "AgentMemory",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // the order of the hot functions at link time (scripts/build-agent.sh, link-order.sh)
            exclude: ["link-order.txt"],
            linkerSettings: agentLinkerSettings),
        // A faithful stand-in for the Kubernetes master (v1 API subset over real HTTP), for tests
        // and benchmarks: no kube-apiserver can run on these machines. Test doubles live under
        // Tests/ (Sources/ holds only what ships).
        .target(
            name: "MasterDouble",
            dependencies: [
                "KubeAPI", "CurlHTTP", "AgentTime", "TestSockets",
                // The HTTPS front (SecureMasterDouble): TLS termination and the certificates it makes.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: "Tests/Doubles/MasterDouble"),
        .testTarget(name: "MasterDoubleTests", dependencies: ["MasterDouble", "KubeAPI", "CurlHTTP", "AgentTime", "TestSupport"]),

        // Loopback TCP sockets for the tests' stub servers and raw clients.
        .target(name: "TestSockets", path: "Tests/Doubles/TestSockets"),
        // Test support: counts what one thread hands to Swift's global executor.
        .target(name: "GlobalPoolWatch", path: "Tests/Doubles/GlobalPoolWatch"),
        // Test support: fixtures for the real Docker engine and the agent process.
        .target(
            name: "TestSupport",
            dependencies: ["KubeAPI", "DockerEngine", "CurlHTTP"],
            path: "Tests/Doubles/TestSupport"),

        .executableTarget(
            name: "clc-bench-master",
            dependencies: [
                "MasterDouble", "KubeAPI", "DockerEngine", "TestSupport", "BenchSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "bench/MasterBench"),
        .executableTarget(
            name: "clc-bench-stats", dependencies: ["NodeStats", "DockerEngine", .product(name: "Logging", package: "swift-log")],
            path: "bench/StatsBench"),
        .executableTarget(name: "clc-bench-proxy", dependencies: ["ServiceProxy", "IPv4"], path: "bench/ProxyBench"),
        .executableTarget(
            name: "clc-bench-lease", dependencies: ["FlannelSubnet", "IPv4", .product(name: "Logging", package: "swift-log")],
            path: "bench/LeaseBench"),
        .executableTarget(
            name: "clc-bench-soak",
            dependencies: [
                "MasterDouble", "DockerEngine", "BenchSupport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "bench/SoakBench"),
        // What the benchmarks that drive a whole agent share (bench/BenchSupport).
        .target(name: "BenchSupport", path: "bench/BenchSupport"),

        .testTarget(name: "KubeAPITests", dependencies: ["KubeAPI"]),
        .testTarget(
            name: "MasterClientTests",
            dependencies: [
                "MasterClient", "MasterSync", "KubeAPI", "CurlHTTP", "MasterDouble", "PodRuntime",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "CurlHTTPTests", dependencies: ["CurlHTTP"]),
        .testTarget(name: "DockerEngineTests", dependencies: ["DockerEngine", "TestSupport"]),
        .testTarget(
            name: "PodRuntimeTests",
            dependencies: ["PodRuntime", "KubeAPI", "DockerEngine", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "ServiceProxyTests",
            dependencies: [
                "ServiceProxy", "IPv4", "KubeAPI", "TestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .testTarget(
            name: "AgentMetricsTests",
            dependencies: [
                "AgentMetrics", "CurlHTTP", "TestSockets", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .testTarget(
            name: "FlannelSubnetTests",
            dependencies: ["FlannelSubnet", "IPv4", "CurlHTTP", "KubeAPI", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["TestSupport", "TestSockets", "KubeAPI", "DockerEngine", "MasterDouble", "CurlHTTP"],
            // Scripts of the real clients the tests drive (the Kubernetes Python client), and the
            // C source of the library that steps the agent's wall clock (ClockStepTests).
            exclude: ["Clients", "Preload"]),
    ],
    swiftLanguageModes: [.v6]
)

// libFuzzer targets (Tests/Fuzz, run by scripts/fuzz.sh): declared only when CLC_FUZZ=1, so the
// normal build and tests never see them. One executable holds every target (CLC_FUZZ_TARGET
// chooses), so a sanitizer build links once; it is built under its own scratch path with
// `--sanitize fuzzer --sanitize address`. -parse-as-library: no `main` of its own, libFuzzer's runs.
if Context.environment["CLC_FUZZ"] == "1" {
    package.targets.append(
        .executableTarget(
            name: "clc-fuzz",
            dependencies: [
                "KubeAPI", "PodRuntime", "DockerEngine", "MasterClient", "CurlHTTP", "ServiceProxy", "RouteNetlink", "Probes",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Fuzz/Targets",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
}
