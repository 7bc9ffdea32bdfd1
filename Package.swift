// swift-tools-version:6.1
import PackageDescription

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
                "KubeAPI", "CurlHTTP", .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]),
        .target(
            name: "MasterSync",
            dependencies: [
                "KubeAPI", "MasterClient", "PodRuntime", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .target(
            name: "Probes",
            dependencies: ["KubeAPI", "CurlHTTP", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "ProbesTests",
            dependencies: ["Probes", "KubeAPI", "CurlHTTP", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "PodRuntime",
            dependencies: [
                "KubeAPI", "DockerEngine", "Probes",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .target(
            name: "ServiceProxy",
            dependencies: [
                "KubeAPI", "CNetfilter", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .target(
            name: "AgentMetrics",
            dependencies: [
                .product(name: "Prometheus", package: "swift-prometheus"), .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // rtnetlink (links, addresses, routes, neighbours, FDB) over libmnl, for the flannel
        // backends.
        .target(name: "RouteNetlink", dependencies: ["CMnl"]),
        // The seam between the node server (HTTP, TLS, upgrades) and the exec, attach and
        // port-forward sessions: plain Swift types, so neither side depends on the other.
        .target(name: "StreamingProtocol"),
        .testTarget(name: "RouteNetlinkTests", dependencies: ["RouteNetlink", "TestSupport"]),
        // flannel's host-gw and vxlan backends and its ip-masq rules: plans from leases, and the
        // executors that program them through RouteNetlink and the proxy's nftables writer.
        .target(
            name: "FlannelBackend",
            dependencies: [
                "RouteNetlink", "ServiceProxy", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .testTarget(
            name: "FlannelBackendTests",
            dependencies: ["FlannelBackend", "RouteNetlink", "ServiceProxy", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        .executableTarget(name: "clc-bench-backend", dependencies: ["FlannelBackend", "RouteNetlink"], path: "bench/BackendBench"),
        .target(
            name: "FlannelSubnet",
            dependencies: [
                "CurlHTTP", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .executableTarget(
            name: "clc-node",
            dependencies: [
                "KubeAPI", "CurlHTTP", "DockerEngine", "PodRuntime", "Probes", "ServiceProxy", "MasterClient", "MasterSync",
                "FlannelSubnet", "FlannelBackend", "RouteNetlink", "CSystemd", "AgentMetrics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // A faithful stand-in for the Kubernetes master (v1 API subset over real HTTP), for tests
        // and benchmarks: no kube-apiserver can run on these machines.
        .target(
            name: "MasterDouble",
            dependencies: ["KubeAPI", "CurlHTTP"]),
        .testTarget(name: "MasterDoubleTests", dependencies: ["MasterDouble", "KubeAPI", "CurlHTTP"]),

        // Test support: fixtures for the real Docker engine and the agent process.
        .target(
            name: "TestSupport",
            dependencies: ["KubeAPI", "DockerEngine", "CurlHTTP"]),

        .executableTarget(
            name: "clc-bench-master", dependencies: ["MasterDouble", "KubeAPI", "DockerEngine", "TestSupport"],
            path: "bench/MasterBench"),
        .executableTarget(name: "clc-bench-proxy", dependencies: ["ServiceProxy"], path: "bench/ProxyBench"),
        .executableTarget(
            name: "clc-bench-lease", dependencies: ["FlannelSubnet", .product(name: "Logging", package: "swift-log")],
            path: "bench/LeaseBench"),

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
                "ServiceProxy", "KubeAPI", "TestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .testTarget(
            name: "AgentMetricsTests",
            dependencies: [
                "AgentMetrics", "CurlHTTP", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .testTarget(
            name: "FlannelSubnetTests",
            dependencies: ["FlannelSubnet", "CurlHTTP", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["TestSupport", "KubeAPI", "DockerEngine", "MasterDouble"]),
    ],
    swiftLanguageModes: [.v6]
)
