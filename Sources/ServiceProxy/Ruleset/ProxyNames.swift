import Crypto

/// The names of the proxy's chains, sets and maps: kube-proxy's nftables names, so an operator
/// who knows `table ip kube-proxy` reads `table ip clc-proxy` the same way.
public enum ProxyNames {
    public static let table = "clc-proxy"

    /// `clc-proxy-1` ... `clc-proxy-15`: the tables earlier versions spread more than 1,024
    /// services over. A full sync deletes them, so an upgraded agent leaves no rules behind.
    public static let legacyShardTables = (1..<16).map { "\(table)-\($0)" }

    public static let services = "services"
    public static let serviceIPs = "service-ips"
    public static let serviceNodePorts = "service-nodeports"
    public static let endpointsCheck = "endpoints-check"
    public static let noEndpointServices = "no-endpoint-services"
    public static let noEndpointNodePorts = "no-endpoint-nodeports"
    public static let rejectChain = "reject-chain"
    public static let markForMasquerade = "mark-for-masquerade"
    public static let masquerading = "masquerading"
    /// The cluster IP ports and NodePorts served through slots (services without ClientIP
    /// affinity that have endpoints), and the hairpin connections among them.
    public static let clusterIPs = "cluster-ips"
    public static let nodePorts = "nodeports"
    public static let hairpin = "hairpin"

    /// `cluster-backends-<n>`: the slots of the cluster IP ports with `n` endpoints.
    public static func clusterBackends(_ endpoints: Int) -> String { "cluster-backends-\(endpoints)" }

    /// `nodeport-backends-<n>`: the slots of the NodePorts with `n` endpoints.
    public static func nodePortBackends(_ endpoints: Int) -> String { "nodeport-backends-\(endpoints)" }

    /// nft names are at most 255 bytes; kube-proxy keeps 16 for the prefix (`endpoint-`, ...).
    static let baseLengthMax = 256 - 16

    /// `service-<hash>-<ns>/<name>/<proto>/<port name>`: the chain that load-balances one
    /// service port across its endpoints.
    public static func serviceChain(_ service: ProxiedService, _ port: ProxiedService.Port) -> String {
        "service-" + servicePortBase(service, port)
    }

    /// `external-<hash>-...`: where NodePort traffic of one service port enters.
    public static func externalChain(_ service: ProxiedService, _ port: ProxiedService.Port) -> String {
        "external-" + servicePortBase(service, port)
    }

    /// `endpoint-<hash>-<ns>/<name>/<proto>/<port name>__<ip>/<port>`: DNAT to one endpoint.
    public static func endpointChain(
        _ service: ProxiedService, _ port: ProxiedService.Port, _ endpoint: ProxiedService.Endpoint
    ) -> String {
        "endpoint-" + endpointBase(service, port, endpoint)
    }

    /// `affinity-<hash>-...`: the client addresses recently sent to one endpoint.
    public static func affinitySet(
        _ service: ProxiedService, _ port: ProxiedService.Port, _ endpoint: ProxiedService.Endpoint
    ) -> String {
        "affinity-" + endpointBase(service, port, endpoint)
    }

    static func servicePortBase(_ service: ProxiedService, _ port: ProxiedService.Port) -> String {
        hashAndTruncate("\(service.namespace)/\(service.name)/\(port.protocol.rawValue)/\(port.name)")
    }

    static func endpointBase(
        _ service: ProxiedService, _ port: ProxiedService.Port, _ endpoint: ProxiedService.Endpoint
    ) -> String {
        hashAndTruncate(
            "\(service.namespace)/\(service.name)/\(port.protocol.rawValue)/\(port.name)__\(endpoint.ip)/\(endpoint.port)")
    }

    /// 8 base32 characters of the SHA-256 of `name`.
    static func shortHash(_ name: String) -> String {
        String(Base32.encode(SHA256.hash(data: Array(name.utf8))).prefix(8))
    }

    /// kube-proxy's `hashAndTruncate`: the first 8 base32 characters of the SHA-256 of the name,
    /// a dash, the name; cut with `...` past 240 bytes. The hash keeps a cut name unique and
    /// makes endpoint chains of one service that differ by a digit easy to tell apart.
    static func hashAndTruncate(_ name: String) -> String {
        let full = shortHash(name) + "-" + name
        guard full.utf8.count > baseLengthMax else { return full }
        return String(decoding: Array(full.utf8.prefix(baseLengthMax - 3)), as: UTF8.self) + "..."
    }
}
