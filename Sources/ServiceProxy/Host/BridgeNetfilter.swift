import Foundation

/// Whether bridged IPv4 traffic passes netfilter (`net.bridge.bridge-nf-call-iptables`).
///
/// Pods on one bridge reaching each other through a cluster IP: the request goes up to the
/// node and is DNATed, but the reply goes straight across the bridge to the client, which gets
/// it from the pod's address and drops it, unless bridged traffic passes netfilter, which then
/// undoes the DNAT (kube-proxy requires br_netfilter for this). Without br_netfilter the proxy
/// masquerades all cluster IP traffic instead (`ProxyNodeSettings.masqueradeAll`), so replies
/// come back through the node; clients then see the node's bridge address as the source.
public enum BridgeNetfilter {
    public enum State: Sendable, Hashable {
        /// br_netfilter is loaded and calls netfilter for bridged IPv4.
        case enabled
        /// It was off and the proxy turned it on.
        case enabledNow
        /// br_netfilter is not loaded, or the setting cannot be changed.
        case unavailable(String)
    }

    public static let path = "/proc/sys/net/bridge/bridge-nf-call-iptables"

    /// Reads the setting and turns it on when it is off.
    public static func ensure(path: String = path) -> State {
        guard let value = try? String(contentsOfFile: path, encoding: .utf8) else {
            return .unavailable("\(path) does not exist: the br_netfilter module is not loaded")
        }
        if value.trimmingCharacters(in: .whitespacesAndNewlines) == "1" { return .enabled }
        do {
            try "1\n".write(toFile: path, atomically: false, encoding: .utf8)
            return .enabledNow
        } catch {
            return .unavailable("\(path) is 0 and cannot be set: \(error.localizedDescription)")
        }
    }
}
