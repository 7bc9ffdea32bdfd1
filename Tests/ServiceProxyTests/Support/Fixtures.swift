import KubeAPI

@testable import ServiceProxy
import IPv4

/// Services of the guestbook, in the shapes the tests need.
enum Fixtures {
    static let node = ProxyNodeSettings(clusterCIDR: IPv4CIDR("10.244.0.0/16"))

    static func ip(_ text: String) -> IPv4Address { IPv4Address(text)! }

    /// `default/redis-master` on 10.254.0.10:6379 with `count` endpoints 10.244.1.2, .3, ...
    static func redisMaster(endpoints count: Int, affinity: ProxiedService.SessionAffinity = .none) -> ProxiedService {
        ProxiedService(
            name: "redis-master", clusterIP: ip("10.254.0.10"), ports: [.init(port: 6379)], sessionAffinity: affinity,
            endpoints: count == 0
                ? [:] : ["": (0..<count).map { .init(ip: IPv4Address(10, 244, 1, UInt8(2 + $0)), port: 6379, podName: "redis-master-\($0)") }])
    }

    /// `default/redis-slave` on 10.254.0.20:6379 with `count` endpoints 10.244.2.2, .3, ...
    static func redisSlave(endpoints count: Int) -> ProxiedService {
        ProxiedService(
            name: "redis-slave", clusterIP: ip("10.254.0.20"), ports: [.init(port: 6379)],
            endpoints: ["": (0..<count).map { .init(ip: IPv4Address(10, 244, 2, UInt8(2 + $0)), port: 6379, podName: "redis-slave-\($0)") }])
    }

    /// `default/frontend`: port 80 to 80, NodePort 30001, one endpoint.
    static let frontend = ProxiedService(
        name: "frontend", clusterIP: ip("10.254.0.30"), ports: [.init(port: 80, nodePort: 30001)],
        endpoints: ["": [.init(ip: ip("10.244.1.7"), port: 80, podName: "frontend-abcde")]])

    /// `default/frontend` before any of its pods is ready.
    static var frontendWithoutEndpoints: ProxiedService {
        var service = frontend
        service.endpoints = [:]
        return service
    }

    /// `kube-system/dns`: port `dns` 53 on UDP and `dns-tcp` 53 on TCP, one endpoint.
    static let dns = ProxiedService(
        namespace: "kube-system", name: "dns", clusterIP: ip("10.254.0.2"),
        ports: [.init(name: "dns", protocol: .udp, port: 53), .init(name: "dns-tcp", protocol: .tcp, port: 53)],
        endpoints: [
            "dns": [.init(ip: ip("10.244.1.9"), port: 53)], "dns-tcp": [.init(ip: ip("10.244.1.9"), port: 53)],
        ])

    /// `default/redis-slave` with `targetPort: redis-server`, its endpoint resolved from a ready
    /// pod whose container port of that name is 6380, as the manifest mode does.
    static var redisSlaveNamedPort: ProxiedService {
        let service = Service(
            metadata: ObjectMeta(name: "redis-slave", namespace: "default"),
            spec: ServiceSpec(
                clusterIP: "10.254.0.20", ports: [ServicePort(port: 6379, targetPort: "redis-server")],
                selector: ["app": "redis-slave"]))
        let pod = Pod(
            metadata: ObjectMeta(name: "redis-slave-x1y2z", namespace: "default", labels: ["app": "redis-slave"]),
            spec: PodSpec(containers: [
                Container(name: "slave", ports: [ContainerPort(name: "redis-server", containerPort: 6380)])
            ]),
            status: PodStatus(conditions: [PodCondition(type: "Ready", status: "True")], podIP: "10.244.1.5"))
        return ProxiedService(service: service, endpoints: EndpointsController.endpoints(for: service, pods: [pod]))!
    }

    static func state(_ services: ProxiedService...) -> ServiceProxyState {
        ServiceProxyState(services: services, node: node)
    }

    static func ruleset(_ services: ProxiedService...) -> Ruleset {
        Ruleset.services(for: ServiceProxyState(services: services, node: node))
    }
}

extension Transaction {
    /// Whether the transaction adds a slot or a rule that DNATs to `address`:`port`.
    func sendsBackend(_ address: String, _ port: UInt16) -> Bool {
        let backend = ElementValue.data(SetKey(.address(IPv4Address(address)!), .port(port)))
        return operations.contains { operation in
            switch operation {
            case .addElements(_, let elements): elements.values.contains(backend)
            case .addRule(_, let rule): rule.render().contains("dnat to \(address):\(port)")
            default: false
            }
        }
    }

    /// Whether any element the transaction adds or deletes has `address` in its key.
    func touches(_ address: String) -> Bool {
        let value = SetKey.Value.address(IPv4Address(address)!)
        return operations.contains { operation in
            switch operation {
            case .addElements(_, let elements): elements.keys.contains { $0.values.contains(value) }
            case .deleteElements(_, let keys): keys.contains { $0.values.contains(value) }
            default: false
            }
        }
    }
}
