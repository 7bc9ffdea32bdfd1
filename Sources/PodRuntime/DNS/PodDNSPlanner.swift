import KubeAPI

/// What a pod's resolv.conf holds, decided as kubelet's dns.Configurer.GetPodDNS: from the
/// pod's `dnsPolicy`, `dnsConfig` and `hostNetwork`, the node's ``ClusterDNS`` and the host's
/// resolver file. Pure: the caller reads the host file and writes the result.
public struct PodDNSPlanner: Sendable {
    /// The resolv.conf content and the warnings kubelet records on the pod on the way.
    public struct Plan: Sendable, Hashable {
        public var resolvConf: ResolvConf
        public var events: [PodEvent]
    }

    /// kubelet's limits (validation.MaxDNSNameservers, MaxDNSSearchPaths, MaxDNSSearchListChars;
    /// a search domain longer than a DNS-1123 subdomain is dropped, glibc aborts on it).
    static let maxNameservers = 3
    static let maxSearchPaths = 32
    static let maxSearchLineCharacters = 2048
    static let maxSearchDomainLength = 253
    /// ClusterFirst pods' options (kubelet's defaultDNSOptions).
    static let clusterOptions = ["ndots:5"]

    public var cluster: ClusterDNS

    public init(cluster: ClusterDNS) { self.cluster = cluster }

    /// - Parameters:
    ///   - hostResolvConf: the content of `cluster.resolvConfPath`, nil when that is empty.
    public func plan(pod: Pod, hostResolvConf: String?) -> Plan {
        var events: [PodEvent] = []
        var config: ResolvConf
        switch policy(of: pod) {
        case .podOnly:
            config = ResolvConf()
        case .cluster where !cluster.servers.isEmpty:
            config = hostResolvConf.map(ResolvConf.init(parsing:)) ?? ResolvConf()
            config.nameservers = cluster.servers
            config.searches = clusterSearches(namespace: pod.metadata.namespace ?? "default", hostSearches: config.searches)
            config.options = Self.clusterOptions
        case .cluster:
            let message =
                "kubelet does not have ClusterDNS IP configured and cannot create Pod using \"ClusterFirst\" policy. Falling back to \"Default\" policy."
            events.append(PodEvent(pod: pod, kind: .warning, reason: "MissingClusterDNS", message: "pod: \"\(Self.describe(pod))\". \(message)"))
            config = host(hostResolvConf)
        case .host:
            config = host(hostResolvConf)
        }
        if let own = pod.spec.dnsConfig { config = Self.appending(own, to: config) }
        config = fitToLimits(config, pod: pod, events: &events)
        return Plan(resolvConf: config, events: events)
    }

    /// The cluster's resolver, the host's, or only the pod's own `dnsConfig`.
    enum Policy { case cluster, host, podOnly }

    /// kubelet's getPodDNSType: ClusterFirst on the host network is Default;
    /// ClusterFirstWithHostNet is ClusterFirst everywhere.
    func policy(of pod: Pod) -> Policy {
        switch pod.spec.dnsPolicy ?? "ClusterFirst" {
        case "None": .podOnly
        case "ClusterFirstWithHostNet": .cluster
        case "Default": .host
        case "ClusterFirst": pod.spec.hostNetwork == true ? .host : .cluster
        // Validation refuses other values; kubelet treats them as ClusterFirst.
        default: .cluster
        }
    }

    /// The host's resolver; with no `--resolv-conf` a pod resolves nothing (kubelet's
    /// 127.0.0.1 and search ".", which keep Docker from copying the host's file).
    func host(_ text: String?) -> ResolvConf {
        guard let text else { return ResolvConf(nameservers: ["127.0.0.1"], searches: ["."]) }
        return ResolvConf(parsing: text)
    }

    /// `<ns>.svc.<domain> svc.<domain> <domain>`, then the host's, without duplicates.
    func clusterSearches(namespace: String, hostSearches: [String]) -> [String] {
        guard !cluster.domain.isEmpty else { return hostSearches }
        let domain = cluster.domain
        return Self.withoutDuplicates(["\(namespace).svc.\(domain)", "svc.\(domain)", domain] + hostSearches)
    }

    /// kubelet's appendDNSConfig: the pod's servers and searches after the policy's (duplicates
    /// dropped); its options replace those of the same name. kubelet goes through a map, whose
    /// order is random: here options are sorted by name, so that the file is stable.
    static func appending(_ own: PodDNSConfig, to config: ResolvConf) -> ResolvConf {
        var merged = config
        merged.nameservers = withoutDuplicates(config.nameservers + (own.nameservers ?? []))
        merged.searches = withoutDuplicates(config.searches + (own.searches ?? []))
        var options: [String: String] = [:]
        for option in config.options {
            let parts = option.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            options[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        for option in own.options ?? [] {
            options[option.name ?? ""] = option.value ?? ""
        }
        merged.options = options.keys.sorted().map { name in
            let value = options[name] ?? ""
            return value.isEmpty ? name : "\(name):\(value)"
        }
        return merged
    }

    /// kubelet's formDNSConfigFitsLimits, with its DNSConfigForming warnings.
    func fitToLimits(_ config: ResolvConf, pod: Pod, events: inout [PodEvent]) -> ResolvConf {
        var fitted = config
        if fitted.nameservers.count > Self.maxNameservers {
            fitted.nameservers = Array(fitted.nameservers.prefix(Self.maxNameservers))
            events.append(PodEvent(
                pod: pod, kind: .warning, reason: "DNSConfigForming",
                message: "Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: "
                    + fitted.nameservers.joined(separator: " ")))
        }
        var exceeded = false
        var searches = fitted.searches
        if searches.count > Self.maxSearchPaths {
            searches = Array(searches.prefix(Self.maxSearchPaths))
            exceeded = true
        }
        let short = searches.filter { $0.count <= Self.maxSearchDomainLength }
        if short.count != searches.count { exceeded = true }
        searches = short
        var length = searches.joined(separator: " ").count
        if length > Self.maxSearchLineCharacters { exceeded = true }
        while length > Self.maxSearchLineCharacters, let last = searches.popLast() {
            length -= last.count + 1
        }
        if exceeded {
            fitted.searches = searches
            events.append(PodEvent(
                pod: pod, kind: .warning, reason: "DNSConfigForming",
                message: "Search Line limits were exceeded, some search paths have been omitted, the applied search line is: "
                    + searches.joined(separator: " ")))
        }
        return fitted
    }

    static func withoutDuplicates(_ items: [String]) -> [String] {
        var seen: Set<String> = []
        return items.filter { seen.insert($0).inserted }
    }

    /// kubelet's format.Pod: `name_namespace(uid)`.
    static func describe(_ pod: Pod) -> String {
        "\(pod.metadata.name ?? "")_\(pod.metadata.namespace ?? "default")(\(pod.metadata.uid ?? ""))"
    }
}
