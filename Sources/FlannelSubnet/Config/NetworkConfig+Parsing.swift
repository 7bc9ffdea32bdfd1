import IPv4

extension NetworkConfig {
    /// Parses `<prefix>/config` with flannel's rules (pkg/subnet/config.go ParseConfig and
    /// CheckNetworkConfig): keys case-insensitive; SubnetLen defaults to 24 for networks of /22
    /// and larger, else to the network's length + 2, and must leave room for four subnets;
    /// SubnetMin defaults to the second subnet, SubnetMax to the last, both inside the network
    /// and on a SubnetLen boundary; `Backend` absent means udp to flannel, which is refused.
    /// - Throws: ``NetworkConfigError`` naming the field.
    public static func parse(_ bytes: some Collection<UInt8>) throws(NetworkConfigError) -> NetworkConfig {
        let document: JSONValue
        do { document = try JSONValue.parse(bytes) } catch { throw .notJSON(detail: "\(error)") }
        guard case .object = document else { throw .notJSON(detail: "the document is \(document.typeName)") }

        guard let networkValue = document[member: "Network"], networkValue != .null else { throw .missing(field: "Network") }
        guard case let .string(networkText) = networkValue, let network = IPv4Subnet(requiringPrefix: networkText) else {
            throw .invalid(field: "Network", value: networkValue.jsonText, reason: "not an IPv4 network in CIDR form (10.1.0.0/16)")
        }

        var subnetLength = 0
        if let value = document[member: "SubnetLen"], value != .null {
            guard case let .number(number) = value, number >= 0, number == number.rounded(), number <= 32 else {
                throw .invalid(field: "SubnetLen", value: value.jsonText, reason: "not a prefix length (0-32)")
            }
            subnetLength = Int(number)
        }
        if subnetLength > 0 {
            guard subnetLength <= 30 else {
                throw .invalid(field: "SubnetLen", value: "\(subnetLength)", reason: "must be less than /31 (a bridge and a gateway need room)")
            }
            guard subnetLength >= network.prefixLength + 2 else {
                throw .invalid(
                    field: "SubnetLen", value: "\(subnetLength)",
                    reason: "Network \(network) must be able to accommodate at least four subnets (SubnetLen \(network.prefixLength + 2) or longer)")
            }
        } else if network.prefixLength > 28 {
            throw .invalid(field: "Network", value: "\(network)", reason: "network is too small; the minimum useful prefix is /28")
        } else {
            subnetLength = network.prefixLength <= 22 ? 24 : network.prefixLength + 2
        }

        let subnetSize = UInt32(1) << UInt32(32 - subnetLength)
        let mask = IPv4Subnet.mask(subnetLength)
        let subnetMin = try address(document, "SubnetMin", in: network) ?? IPv4Address(network.address.value + subnetSize)
        let subnetMax = try address(document, "SubnetMax", in: network) ?? IPv4Address(network.lastAddress.value &- subnetSize &+ 1)
        guard subnetMin.value & mask == subnetMin.value else {
            throw .invalid(field: "SubnetMin", value: "\(subnetMin)", reason: "not on a SubnetLen (/\(subnetLength)) boundary")
        }
        guard subnetMax.value & mask == subnetMax.value else {
            throw .invalid(field: "SubnetMax", value: "\(subnetMax)", reason: "not on a SubnetLen (/\(subnetLength)) boundary")
        }
        guard subnetMin <= subnetMax else {
            throw .invalid(field: "SubnetMin", value: "\(subnetMin)", reason: "is above SubnetMax \(subnetMax)")
        }

        return NetworkConfig(
            network: network, subnetLength: subnetLength, subnetMin: subnetMin, subnetMax: subnetMax,
            backend: try backend(document[member: "Backend"]))
    }

    private static func address(_ document: JSONValue, _ field: String, in network: IPv4Subnet) throws(NetworkConfigError) -> IPv4Address? {
        guard let value = document[member: field], value != .null else { return nil }
        guard case let .string(text) = value, let address = IPv4Address(text) else {
            throw .invalid(field: field, value: value.jsonText, reason: "not an IPv4 address")
        }
        // flannel treats 0.0.0.0 as "not set".
        if address.value == 0 { return nil }
        guard network.contains(address) else {
            throw .invalid(field: field, value: text, reason: "is not in the range of the Network \(network)")
        }
        return address
    }

    private static func backend(_ value: JSONValue?) throws(NetworkConfigError) -> BackendConfig {
        guard let value, value != .null else {
            throw .unsupportedBackend(
                type: "udp",
                reason: "Backend is absent, and flannel then uses udp, its userspace backend, which clc-node does not carry "
                    + "(it encapsulates in the kernel only); set \"Backend\": {\"Type\": \"vxlan\"} or {\"Type\": \"host-gw\"}")
        }
        guard case .object = value else {
            throw .invalid(field: "Backend", value: value.jsonText, reason: "not an object")
        }
        guard let typeValue = value[member: "Type"], typeValue != .null else { throw .missing(field: "Backend.Type") }
        guard case let .string(type) = typeValue else {
            throw .invalid(field: "Backend.Type", value: typeValue.jsonText, reason: "not a string")
        }
        switch type {
        case "host-gw":
            return .hostGateway
        case "vxlan":
            var settings = VXLANSettings()
            settings.vni = try integer(value, "VNI", range: 0...16_777_215) ?? 1
            settings.port = try integer(value, "Port", range: 0...65535) ?? 0
            settings.mtu = try integer(value, "MTU", range: 0...65535).flatMap { $0 == 0 ? nil : $0 }
            settings.gbp = try flag(value, "GBP") ?? false
            settings.directRouting = try flag(value, "DirectRouting") ?? false
            settings.learning = try flag(value, "Learning") ?? false
            return .vxlan(settings)
        case "udp":
            throw .unsupportedBackend(
                type: type,
                reason: "udp is flannel's userspace packet forwarder (a TUN device read by the daemon); clc-node carries "
                    + "no userspace data path and encapsulates in the kernel only: use vxlan (same overlay, faster) or host-gw")
        default:
            throw .unsupportedBackend(type: type, reason: "clc-node carries host-gw and vxlan")
        }
    }

    private static func integer(_ backend: JSONValue, _ key: String, range: ClosedRange<Int>) throws(NetworkConfigError) -> Int? {
        guard let value = backend[member: key], value != .null else { return nil }
        guard case let .number(number) = value, number == number.rounded(), range.contains(Int(exactly: number) ?? -1) else {
            throw .invalid(field: "Backend.\(key)", value: value.jsonText, reason: "not an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return Int(number)
    }

    private static func flag(_ backend: JSONValue, _ key: String) throws(NetworkConfigError) -> Bool? {
        guard let value = backend[member: key], value != .null else { return nil }
        guard case let .bool(flag) = value else {
            throw .invalid(field: "Backend.\(key)", value: value.jsonText, reason: "not true or false")
        }
        return flag
    }
}
