import Foundation

/// The parts of etcd's answers the registries read, decoded by type: a listing of 250 leases
/// through the generic ``JSONValue`` spent most of its time building dictionaries. etcd writes
/// these keys itself, always in this case.
enum EtcdWire {
    /// v2: `{"action","node":{...}}`, or an error `{"errorCode","message","cause","index"}`.
    struct V2Response: Decodable {
        var action: String?
        var node: V2Node?
        var errorCode: Int64?
        var message: String?
        var cause: String?
    }

    struct V2Node: Decodable {
        var key: String?
        var value: String?
        var dir: Bool?
        var nodes: [V2Node]?
        var expiration: String?
        var ttl: Int64?
        var modifiedIndex: Int64?
    }

    /// v3 gateway: int64 fields arrive as strings.
    struct V3Header: Decodable {
        var revision: String?
    }

    struct V3KeyValue: Decodable {
        var key: String?
        var value: String?
        var lease: String?
        var mod_revision: String?
    }

    struct V3Range: Decodable {
        var header: V3Header?
        var kvs: [V3KeyValue]?
    }

    /// A lease value with flannel's exact key names; other spellings go through ``JSONValue``.
    struct LeaseValue: Decodable {
        var PublicIP: String?
        var BackendType: String?
        var BackendData: JSONValue?
    }

    static func decode<T: Decodable>(_ type: T.Type, _ bytes: some Collection<UInt8>) -> T? {
        try? JSONDecoder().decode(type, from: Data(bytes))
    }
}
