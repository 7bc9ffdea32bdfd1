import IPv4
import ServiceProxy

/// The services the benchmark programs: COUNT ClusterIP services of one TCP port (80 -> 8080)
/// with two endpoints each, in namespace `bench`. Cluster IPs are 10.100.0.0 upwards, endpoints
/// 10.200.x.y and 10.201.x.y (never routed anywhere: only the rules matter), except for one
/// service whose endpoints a test gives (the one the latency test connects to).
enum Workload {
    static let namespace = "bench"
    static let port: UInt16 = 80
    static let targetPort: UInt16 = 8080
    /// kube-proxy's usual pod network: the latency test's client sits inside it, so its
    /// connections are DNATed but not masqueraded, as a pod's are.
    static let clusterCIDR = "10.244.0.0/16"

    static func name(_ index: Int) -> String { "service-\(index)" }

    static func clusterIP(_ index: Int) -> IPv4Address {
        IPv4Address(10, UInt8(100 + index >> 16), UInt8((index >> 8) & 0xff), UInt8(index & 0xff))
    }

    /// An endpoint address for `index` that differs for each `round`.
    static func address(_ second: UInt8, _ index: Int, round: Int = 0) -> IPv4Address {
        IPv4Address(10, second &+ UInt8(truncatingIfNeeded: round), UInt8((index >> 8) & 0xff), UInt8(index & 0xff))
    }

    /// - Parameters:
    ///   - count: how many services.
    ///   - target: a service index whose endpoints are `targetEndpoints` instead.
    static func state(
        services count: Int, target: Int? = nil, targetEndpoints: [ProxiedService.Endpoint] = []
    ) -> ServiceProxyState {
        var services: [ProxiedService] = []
        services.reserveCapacity(count)
        for index in 0..<count {
            let endpoints: [ProxiedService.Endpoint] =
                index == target
                ? targetEndpoints
                : [.init(ip: address(200, index), port: targetPort), .init(ip: address(201, index), port: targetPort)]
            services.append(
                ProxiedService(
                    namespace: namespace, name: name(index), clusterIP: clusterIP(index),
                    ports: [.init(port: port, targetPort: .number(targetPort))], endpoints: ["": endpoints]))
        }
        return ServiceProxyState(services: services, node: ProxyNodeSettings(clusterCIDR: IPv4CIDR(clusterCIDR)))
    }
}
