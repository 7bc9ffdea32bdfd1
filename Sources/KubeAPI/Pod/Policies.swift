/// A pod's `restartPolicy`. Typed like Go's `v1.RestartPolicy` (a string with named values):
/// any string decodes, so an unknown one is refused by validation, naming the field, instead of
/// failing the decoding of the whole list or watch event it came in.
public struct RestartPolicy: RawRepresentable, Codable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }

    public static let always: RestartPolicy = "Always"
    public static let onFailure: RestartPolicy = "OnFailure"
    public static let never: RestartPolicy = "Never"
    /// The values the API server accepts.
    public static let supported: [RestartPolicy] = [.always, .onFailure, .never]
}

/// A container's `imagePullPolicy`, typed as ``RestartPolicy`` is.
public struct PullPolicy: RawRepresentable, Codable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }

    public static let always: PullPolicy = "Always"
    public static let ifNotPresent: PullPolicy = "IfNotPresent"
    public static let never: PullPolicy = "Never"
    /// The values the API server accepts.
    public static let supported: [PullPolicy] = [.always, .ifNotPresent, .never]
}
