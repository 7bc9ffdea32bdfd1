extension PodSpec {
    /// The API server's checks of `dnsConfig` (ValidatePodDNSConfig): with `dnsPolicy: None` it
    /// must name at least one server; at most 3 servers, each an IP address; at most 32
    /// search domains; every option named.
    func validateDNSConfig(path: String, into errors: inout [FieldError]) {
        if dnsPolicy == "None" {
            guard let dnsConfig else {
                errors.append(FieldError(field: "\(path).dnsConfig", detail: "must provide `dnsConfig` when `dnsPolicy` is None", kind: .required))
                return
            }
            if (dnsConfig.nameservers ?? []).isEmpty {
                errors.append(FieldError(
                    field: "\(path).dnsConfig.nameservers", detail: "must provide at least one DNS nameserver when `dnsPolicy` is None",
                    kind: .required))
            }
        }
        guard let dnsConfig else { return }
        let nameservers = dnsConfig.nameservers ?? []
        if nameservers.count > 3 {
            errors.append(FieldError(
                field: "\(path).dnsConfig.nameservers", value: nameservers.joined(separator: " "), detail: "must not have more than 3 nameservers"))
        }
        for (index, server) in nameservers.enumerated() where !Self.isIPAddress(server) {
            errors.append(FieldError(field: "\(path).dnsConfig.nameservers[\(index)]", value: server, detail: "must be a valid IP address"))
        }
        let searches = dnsConfig.searches ?? []
        if searches.count > 32 {
            errors.append(FieldError(
                field: "\(path).dnsConfig.searches", value: searches.joined(separator: " "), detail: "must not have more than 32 search paths"))
        }
        for (index, option) in (dnsConfig.options ?? []).enumerated() where (option.name ?? "").isEmpty {
            errors.append(FieldError(field: "\(path).dnsConfig.options[\(index)].name", kind: .required))
        }
    }

    /// An IPv4 dotted quad or an IPv6 address (hex groups, at most one `::`).
    static func isIPAddress(_ text: String) -> Bool {
        let quads = text.split(separator: ".", omittingEmptySubsequences: false)
        if quads.count == 4 {
            return quads.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber) && Int(part).map { $0 <= 255 } == true
            }
        }
        guard text.contains(":"), text.components(separatedBy: "::").count <= 2 else { return false }
        let groups = text.split(separator: ":", omittingEmptySubsequences: true)
        return groups.count <= 8 && groups.allSatisfy { $0.count <= 4 && $0.allSatisfy(\.isHexDigit) }
    }
}
