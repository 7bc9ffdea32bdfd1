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

/// Where an environment variable's value comes from: exactly one field is set.
public struct EnvVarSource: Sendable, Hashable, Codable {
    public var fieldRef: ObjectFieldSelector?
    public var resourceFieldRef: ResourceFieldSelector?
    public var configMapKeyRef: KeySelector?
    public var secretKeyRef: KeySelector?

    public init(
        fieldRef: ObjectFieldSelector? = nil, resourceFieldRef: ResourceFieldSelector? = nil,
        configMapKeyRef: KeySelector? = nil, secretKeyRef: KeySelector? = nil
    ) {
        self.fieldRef = fieldRef
        self.resourceFieldRef = resourceFieldRef
        self.configMapKeyRef = configMapKeyRef
        self.secretKeyRef = secretKeyRef
    }
}

/// One key of a configMap or secret in the pod's namespace (v1 `ConfigMapKeySelector`,
/// `SecretKeySelector`).
public struct KeySelector: Sendable, Hashable, Codable {
    public var name: String?
    public var key: String
    /// A missing object or key leaves the variable unset instead of failing the container.
    public var optional: Bool?

    public init(name: String? = nil, key: String, optional: Bool? = nil) {
        self.name = name
        self.key = key
        self.optional = optional
    }
}

/// Every key of a configMap or secret as variables (v1 `EnvFromSource`), `prefix` before each.
public struct EnvFromSource: Sendable, Hashable, Codable {
    public var prefix: String?
    public var configMapRef: ObjectNameReference?
    public var secretRef: ObjectNameReference?

    public init(prefix: String? = nil, configMapRef: ObjectNameReference? = nil, secretRef: ObjectNameReference? = nil) {
        self.prefix = prefix
        self.configMapRef = configMapRef
        self.secretRef = secretRef
    }
}

/// A configMap or secret named whole (v1 `ConfigMapEnvSource`, `SecretEnvSource`).
public struct ObjectNameReference: Sendable, Hashable, Codable {
    public var name: String?
    public var optional: Bool?

    public init(name: String? = nil, optional: Bool? = nil) {
        self.name = name
        self.optional = optional
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
