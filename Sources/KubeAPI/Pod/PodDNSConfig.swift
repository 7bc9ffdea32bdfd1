/// A pod's own DNS parameters (v1 `PodDNSConfig`), merged by the node into what `dnsPolicy`
/// gives; with `dnsPolicy: None` they are all the pod gets.
public struct PodDNSConfig: Sendable, Hashable, Codable {
    /// Name server addresses, appended after the policy's (duplicates dropped).
    public var nameservers: [String]?
    /// Search domains, appended after the policy's (duplicates dropped).
    public var searches: [String]?
    /// Resolver options; one of the same name as the policy's replaces it.
    public var options: [PodDNSConfigOption]?

    public init(nameservers: [String]? = nil, searches: [String]? = nil, options: [PodDNSConfigOption]? = nil) {
        self.nameservers = nameservers
        self.searches = searches
        self.options = options
    }
}

/// One resolver option of ``PodDNSConfig``: `ndots` with value "2" is `ndots:2`.
public struct PodDNSConfigOption: Sendable, Hashable, Codable {
    public var name: String?
    public var value: String?

    public init(name: String? = nil, value: String? = nil) {
        self.name = name
        self.value = value
    }
}
