/// A string with named values, as Go's `type RestartPolicy string`: any string decodes, so an
/// unknown value is refused by validation, naming the field, instead of failing the decoding of
/// the whole list or watch event it came in.
public protocol NamedStringValue: RawRepresentable, Codable, Hashable, Sendable, ExpressibleByStringLiteral,
    CustomStringConvertible where RawValue == String
{
    init(rawValue: String)
    /// The values the API server accepts.
    static var supported: [Self] { get }
}

extension NamedStringValue {
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public var description: String { rawValue }
}

/// A pod's `restartPolicy`.
public struct RestartPolicy: NamedStringValue {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let always: RestartPolicy = "Always"
    public static let onFailure: RestartPolicy = "OnFailure"
    public static let never: RestartPolicy = "Never"
    public static let supported: [RestartPolicy] = [.always, .onFailure, .never]
}

/// A container's `imagePullPolicy`.
public struct PullPolicy: NamedStringValue {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let always: PullPolicy = "Always"
    public static let ifNotPresent: PullPolicy = "IfNotPresent"
    public static let never: PullPolicy = "Never"
    public static let supported: [PullPolicy] = [.always, .ifNotPresent, .never]
}
