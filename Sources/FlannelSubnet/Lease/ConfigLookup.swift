/// What looking for `<prefix>/config` found under each etcd API, and the sentence an operator
/// reads about it. Pure: the service does the reading.
public struct ConfigLookup: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        case found([UInt8])
        case absent
        case failed(String)
    }

    /// The key looked for.
    public var key: String
    /// Outcomes under the APIs clc-node may use (`--etcd-api`: auto = v3 then v2), in order.
    public var selected: [(api: EtcdAPI, outcome: Outcome)]
    /// Outcomes under the APIs it was told not to use, only to say where the config is instead.
    public var others: [(api: EtcdAPI, outcome: Outcome)]

    public init(key: String, selected: [(api: EtcdAPI, outcome: Outcome)], others: [(api: EtcdAPI, outcome: Outcome)] = []) {
        self.key = key
        self.selected = selected
        self.others = others
    }

    public static func == (lhs: ConfigLookup, rhs: ConfigLookup) -> Bool {
        lhs.key == rhs.key && lhs.selected.map(\.api) == rhs.selected.map(\.api) && lhs.selected.map(\.outcome) == rhs.selected.map(\.outcome)
            && lhs.others.map(\.api) == rhs.others.map(\.api) && lhs.others.map(\.outcome) == rhs.others.map(\.outcome)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        for entry in selected { hasher.combine(entry.api); hasher.combine(entry.outcome) }
    }

    /// The first selected API that holds the config, with its value.
    public var found: (api: EtcdAPI, value: [UInt8])? {
        for entry in selected { if case let .found(value) = entry.outcome { return (entry.api, value) } }
        return nil
    }

    /// Why nothing was found: the key, each API it is missing under (or that failed), and where
    /// it exists instead.
    public var missingMessage: String {
        var parts: [String] = []
        let absent = selected.filter { $0.outcome == .absent }.map(\.api)
        if !absent.isEmpty {
            parts.append("\(key) does not exist under the \(Self.names(absent))")
        }
        for entry in selected {
            if case let .failed(reason) = entry.outcome { parts.append("cannot read \(key) under the \(entry.api): \(reason)") }
        }
        for entry in others {
            switch entry.outcome {
            case .found:
                parts.append(
                    "it exists under the \(entry.api), which --etcd-api \(selected.map(\.api.rawValue).joined(separator: ",")) excludes "
                        + "(use --etcd-api \(entry.api.rawValue) or auto)")
            case .absent:
                parts.append("nor under the \(entry.api)")
            case .failed:
                break
            }
        }
        return parts.joined(separator: "; ")
    }

    private static func names(_ apis: [EtcdAPI]) -> String {
        switch apis.count {
        case 1: "\(apis[0])"
        default: "etcd " + apis.map(\.rawValue).joined(separator: " and ") + " APIs"
        }
    }
}
