import ArgumentParser
import FlannelSubnet
import IPv4

/// The flags of the flannel network, flanneld's names where flanneld has one. Flannel is on when
/// `--etcd-endpoints` is set.
struct FlannelOptions: ParsableArguments {
    @Option(help: "etcd endpoints holding the flannel network (comma-separated URLs); sets flannel on.")
    var etcdEndpoints: String?

    @Option(help: "etcd key prefix of the flannel network (Atomic hosts: /atomic.io/network).")
    var etcdPrefix = "/coreos.com/network"

    @Option(help: "etcd API: v2, v3 or auto (the one under which <prefix>/config exists, v3 first).")
    var etcdApi = "auto"

    @Option(help: "CA certificate file for etcd over TLS.")
    var etcdCafile: String?

    @Option(help: "Client certificate file for etcd.")
    var etcdCertfile: String?

    @Option(help: "Client key file for etcd.")
    var etcdKeyfile: String?

    @Option(help: "etcd user name.")
    var etcdUsername: String?

    @Option(help: "etcd password.")
    var etcdPassword: String?

    @Option(name: .customLong("public-ip"), help: "The address other nodes reach this node's pods through (default: --node-ip).")
    var publicIP: String?

    @Option(help: "The underlay interface (default: the one holding the public IP).")
    var iface: String?

    @Option(help: "Masquerade pod traffic leaving the flannel network: true or false.")
    var ipMasq = true

    @Option(help: "Where to write FLANNEL_NETWORK, FLANNEL_SUBNET, FLANNEL_MTU and FLANNEL_IPMASQ.")
    var subnetFile = "/run/flannel/subnet.env"

    @Option(help: "Where to write DOCKER_NETWORK_OPTIONS for a Docker started with flannel's options; empty: nowhere.")
    var dockerOptionsFile = "/run/flannel/docker"

    @Option(help: "Renew the subnet lease this many minutes before it expires.")
    var subnetLeaseRenewMargin = 60


    var isEnabled: Bool { !(etcdEndpoints ?? "").isEmpty }

    func validate() throws {
        guard isEnabled else { return }
        guard EtcdConfiguration.APISelection(rawValue: etcdApi) != nil else {
            throw ValidationError("--etcd-api: \"\(etcdApi)\" is not one of v2, v3, auto")
        }
        for endpoint in endpoints where !(endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://")) {
            throw ValidationError("--etcd-endpoints: \"\(endpoint)\" must start with http:// or https://")
        }
        if let publicIP, IPv4Address(publicIP) == nil {
            throw ValidationError("--public-ip: \"\(publicIP)\" is not an IPv4 address")
        }
        guard subnetLeaseRenewMargin > 0, subnetLeaseRenewMargin < 24 * 60 else {
            throw ValidationError("--subnet-lease-renew-margin: must be between 1 and 1439 minutes (leases last 24 h)")
        }
    }

    var endpoints: [String] {
        (etcdEndpoints ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    var etcd: EtcdConfiguration {
        EtcdConfiguration(
            endpoints: endpoints, prefix: etcdPrefix, api: EtcdConfiguration.APISelection(rawValue: etcdApi) ?? .auto,
            caFile: etcdCafile, certFile: etcdCertfile, keyFile: etcdKeyfile, username: etcdUsername, password: etcdPassword)
    }
}
