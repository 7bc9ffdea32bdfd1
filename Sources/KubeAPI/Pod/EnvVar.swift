/// An environment variable: a literal `value`, or a `valueFrom` reference resolved by the node.
public struct EnvVar: Sendable, Hashable, Codable {
    public var name: String
    public var value: String?
    public var valueFrom: EnvVarSource?

    public init(name: String, value: String? = nil, valueFrom: EnvVarSource? = nil) {
        self.name = name
        self.value = value
        self.valueFrom = valueFrom
    }
}

/// Where an environment variable's value comes from. Only `fieldRef` (the downward API) is
/// modelled; config map and secret references decode as an empty source, which validation reports.
public struct EnvVarSource: Sendable, Hashable, Codable {
    public var fieldRef: ObjectFieldSelector?

    public init(fieldRef: ObjectFieldSelector? = nil) {
        self.fieldRef = fieldRef
    }
}

/// A field of the pod itself, such as `metadata.name` or `status.podIP`.
public struct ObjectFieldSelector: Sendable, Hashable, Codable {
    /// Defaulting makes it "v1".
    public var apiVersion: String?
    public var fieldPath: String?

    public init(apiVersion: String? = nil, fieldPath: String? = nil) {
        self.apiVersion = apiVersion
        self.fieldPath = fieldPath
    }
}
