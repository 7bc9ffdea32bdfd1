/// The Docker options file flannel's `mk-docker-opts.sh` writes from subnet.env, as Atomic
/// hosts run it (`mk-docker-opts.sh -k DOCKER_NETWORK_OPTIONS -d /run/flannel/docker`), so a
/// docker.service with `EnvironmentFile=/run/flannel/docker` reads the same lines:
///
///     DOCKER_OPT_BIP="--bip=10.1.15.1/24"
///     DOCKER_OPT_IPMASQ="--ip-masq=false"
///     DOCKER_OPT_MTU="--mtu=1450"
///     DOCKER_NETWORK_OPTIONS=" --bip=10.1.15.1/24 --ip-masq=false --mtu=1450 "
///
/// The script lists its variables in name order (`compgen -v DOCKER_OPT_`), starts the combined
/// value with a space and ends every option with one. `--ip-masq=false` appears only when
/// flannel masquerades (`FLANNEL_IPMASQ=true`): then Docker must not masquerade as well.
public struct DockerOptionsFile: Sendable, Hashable {
    public var subnetFile: SubnetFile
    /// The combined variable's name (`-k`).
    public var combinedKey: String

    public init(subnetFile: SubnetFile, combinedKey: String = "DOCKER_NETWORK_OPTIONS") {
        self.subnetFile = subnetFile
        self.combinedKey = combinedKey
    }

    /// The options in mk-docker-opts.sh's order.
    public var options: [(name: String, value: String)] {
        var options = [("DOCKER_OPT_BIP", "--bip=\(subnetFile.subnet.gateway)/\(subnetFile.subnet.prefixLength)")]
        if subnetFile.ipMasq { options.append(("DOCKER_OPT_IPMASQ", "--ip-masq=false")) }
        options.append(("DOCKER_OPT_MTU", "--mtu=\(subnetFile.mtu)"))
        return options
    }

    public var contents: String {
        var text = ""
        var combined = " "
        for option in options {
            text += "\(option.name)=\"\(option.value)\"\n"
            combined += option.value + " "
        }
        return text + "\(combinedKey)=\"\(combined)\"\n"
    }
}
