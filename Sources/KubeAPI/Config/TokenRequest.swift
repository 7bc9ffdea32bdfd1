/// A request for a service account token (`authentication.k8s.io/v1` `TokenRequest`), posted
/// to `serviceaccounts/<name>/token`; the answer carries the token in `status`.
public struct TokenRequest: Sendable, Hashable, Codable {
    public struct Spec: Sendable, Hashable, Codable {
        /// Empty: the API server's own audiences.
        public var audiences: [String]?
        public var expirationSeconds: Int64?
        public var boundObjectRef: BoundObjectReference?

        public init(audiences: [String]? = nil, expirationSeconds: Int64? = nil, boundObjectRef: BoundObjectReference? = nil) {
            self.audiences = audiences
            self.expirationSeconds = expirationSeconds
            self.boundObjectRef = boundObjectRef
        }
    }

    /// The pod the token is bound to: it stops being valid when the pod is gone.
    public struct BoundObjectReference: Sendable, Hashable, Codable {
        public var apiVersion: String?
        public var kind: String?
        public var name: String?
        public var uid: String?

        public init(apiVersion: String? = "v1", kind: String? = "Pod", name: String? = nil, uid: String? = nil) {
            self.apiVersion = apiVersion
            self.kind = kind
            self.name = name
            self.uid = uid
        }
    }

    public struct Status: Sendable, Hashable, Codable {
        public var token: String
        /// RFC 3339.
        public var expirationTimestamp: String

        public init(token: String, expirationTimestamp: String) {
            self.token = token
            self.expirationTimestamp = expirationTimestamp
        }
    }

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta?
    public var spec: Spec
    public var status: Status?

    public init(apiVersion: String? = "authentication.k8s.io/v1", kind: String? = "TokenRequest", metadata: ObjectMeta? = nil, spec: Spec, status: Status? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}
