extension JSONValue {
    /// RFC 7386 JSON merge patch (`application/merge-patch+json`): objects merge recursively,
    /// `null` removes a key, anything else (arrays included) replaces.
    public func applyingMergePatch(_ patch: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        var result: [String: JSONValue] = objectValue ?? [:]
        for (key, value) in patchMembers {
            if value.isNull {
                result.removeValue(forKey: key)
            } else {
                result[key] = (result[key] ?? .null).applyingMergePatch(value)
            }
        }
        return .object(result)
    }

    /// This value with every field that `defaulted` sets laid over it: how the double applies
    /// KubeAPI's typed defaulting without losing the fields KubeAPI does not model.
    ///
    /// Objects merge key by key, arrays of equal length element by element (containers, ports);
    /// anything else takes the defaulted value.
    func overlaid(with defaulted: JSONValue) -> JSONValue {
        switch (self, defaulted) {
        case (.object(var base), .object(let top)):
            for (key, value) in top {
                base[key] = (base[key] ?? .null).overlaid(with: value)
            }
            return .object(base)
        case (.array(let base), .array(let top)) where base.count == top.count:
            return .array(zip(base, top).map { $0.overlaid(with: $1) })
        default:
            return defaulted
        }
    }
}
