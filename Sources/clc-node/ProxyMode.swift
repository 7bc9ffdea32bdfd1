import ArgumentParser

/// `--proxy-mode`: the service proxy the agent runs (kube-proxy's `--proxy-mode`, of which the
/// agent has one mode).
enum ProxyMode: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// ClusterIPs and NodePorts programmed in table `ip clc-proxy`.
    case nftables
    /// No service proxy: pods still run.
    case disabled = "none"
}
