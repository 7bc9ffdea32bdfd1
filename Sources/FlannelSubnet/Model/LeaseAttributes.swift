import IPv4

/// The value of a lease key, flannel's `LeaseAttrs`:
/// `{"PublicIP":"192.168.1.5","BackendType":"vxlan","BackendData":{"VNI":1,"VtepMAC":"..."}}`.
public struct LeaseAttributes: Sendable, Hashable {
    /// The node's address other nodes reach its subnet through.
    public var publicIP: IPv4Address
    /// `host-gw`, `vxlan`, ... (flannel omits it when empty).
    public var backendType: String
    /// Backend-specific data as written (vxlan: VNI and VtepMAC); nil when absent.
    public var backendData: JSONValue?

    public init(publicIP: IPv4Address, backendType: String, backendData: JSONValue? = nil) {
        self.publicIP = publicIP
        self.backendType = backendType
        self.backendData = backendData
    }

    /// The JSON flannel writes, keys in its field order.
    public var json: String {
        var text = "{\"PublicIP\":\"\(publicIP)\""
        if !backendType.isEmpty { text += ",\"BackendType\":\(JSONValue.string(backendType).jsonText)" }
        if let backendData, backendData != .null { text += ",\"BackendData\":\(backendData.jsonText)" }
        return text + "}"
    }

    /// Parses a lease value; keys case-insensitive as encoding/json reads them.
    /// - Throws: ``LeaseValueError`` naming the field.
    public static func parse(_ bytes: some Collection<UInt8>) throws(LeaseValueError) -> LeaseAttributes {
        if let exact = EtcdWire.decode(EtcdWire.LeaseValue.self, bytes), let ip = exact.PublicIP, let publicIP = IPv4Address(ip) {
            let data = exact.BackendData.flatMap { $0 == .null ? nil : $0 }
            return LeaseAttributes(publicIP: publicIP, backendType: exact.BackendType ?? "", backendData: data)
        }
        let document: JSONValue
        do { document = try JSONValue.parse(bytes) } catch { throw LeaseValueError(field: "value", reason: "not JSON") }
        guard case let .string(ip)? = document[member: "PublicIP"], let publicIP = IPv4Address(ip) else {
            throw LeaseValueError(field: "PublicIP", reason: "missing or not an IPv4 address")
        }
        var type = ""
        if case let .string(value)? = document[member: "BackendType"] { type = value }
        let data = document[member: "BackendData"].flatMap { $0 == .null ? nil : $0 }
        return LeaseAttributes(publicIP: publicIP, backendType: type, backendData: data)
    }
}
