import Logging

extension Run {
    /// Every option's value in force (command line, environment, `--config` file, defaults),
    /// as one log entry's metadata: `config.<property>`, `config.<group>.<property>`. Read by
    /// reflection so that an option added later is logged without a second list to keep.
    /// Secrets (passwords, tokens) are redacted, and so are credentials in a URL.
    func effectiveConfiguration() -> Logger.Metadata {
        var metadata: Logger.Metadata = [:]
        Self.collect(self, prefix: "config", into: &metadata)
        return metadata
    }

    /// Names whose values are never logged.
    static let secretWords = ["password", "token", "secret"]

    static func collect(_ value: Any, prefix: String, into metadata: inout Logger.Metadata) {
        for child in Mirror(reflecting: value).children {
            guard let label = child.label, label.hasPrefix("_") else { continue }
            let name = String(label.dropFirst())
            let key = "\(prefix).\(name)"
            let wrapped = unwrap(child.value)
            if let group = wrapped, isOptionGroup(child.value) {
                collect(group, prefix: key, into: &metadata)
                continue
            }
            let text = wrapped.map(describe) ?? ""
            // A switch named after a secret (--authentication-token-webhook) is no secret.
            let isSwitch = ["true", "false"].contains(text)
            if !isSwitch, secretWords.contains(where: { name.lowercased().contains($0) }) {
                metadata[key] = .string(text.isEmpty ? "" : "<redacted>")
            } else {
                metadata[key] = .string(redactingURLCredentials(text))
            }
        }
    }

    /// The value inside an ArgumentParser property wrapper (`Option`, `Flag`, `OptionGroup`),
    /// whose parsed value is an enum case `value(_:)` of a stored `_parsedValue`.
    static func unwrap(_ wrapper: Any) -> Any? {
        guard let parsed = Mirror(reflecting: wrapper).children.first(where: { $0.label == "_parsedValue" })?.value else {
            return wrapper
        }
        let payload = Mirror(reflecting: parsed).children.first
        guard payload?.label == "value" else { return nil }
        return payload?.value
    }

    static func isOptionGroup(_ wrapper: Any) -> Bool {
        String(describing: type(of: wrapper)).hasPrefix("OptionGroup<")
    }

    static func describe(_ value: Any) -> String {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let some = mirror.children.first?.value else { return "" }
            return describe(some)
        }
        if let range = value as? ClosedRange<Int32> { return "\(range.lowerBound)-\(range.upperBound)" }
        return "\(value)"
    }

    /// `https://user:pass@host` -> `https://<redacted>@host`.
    static func redactingURLCredentials(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@"),
            !text[scheme.upperBound..<at].contains("/")
        else { return text }
        return String(text[..<scheme.upperBound]) + "<redacted>" + String(text[at...])
    }
}
