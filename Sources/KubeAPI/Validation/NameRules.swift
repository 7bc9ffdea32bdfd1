/// The name formats Kubernetes validates against, as predicates returning a reason or nil.
enum NameRules {
    /// A DNS-1123 label: at most 63 lowercase letters, digits and '-', starting and ending
    /// alphanumeric. Container, volume and namespace names use it.
    static func dns1123LabelProblem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        if bytes.count > 63 { return "must be no more than 63 characters" }
        guard let first = bytes.first, let last = bytes.last,
            isLowerAlphanumeric(first), isLowerAlphanumeric(last),
            bytes.allSatisfy({ isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") })
        else {
            return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                + "and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc')"
        }
        return nil
    }

    /// A configMap or secret key (`IsConfigMapKey`): at most 253 characters of alphanumerics,
    /// '-', '_' or '.', and not "." or "..".
    static func configMapKeyProblem(_ key: String) -> String? {
        if key.utf8.count > 253 { return "must be no more than 253 characters" }
        let allowed = key.utf8.allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
        }
        if !allowed {
            return "a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
                + "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
        }
        if key == "." { return "must not be '.'" }
        if key == ".." { return "must not be '..'" }
        if key.hasPrefix("..") { return "must not start with '..'" }
        return nil
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    /// A DNS-1123 subdomain: at most 253 characters, dot-separated labels. Pod names use it.
    static func dns1123SubdomainProblem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        if bytes.count > 253 { return "must be no more than 253 characters" }
        let allowed = bytes.allSatisfy {
            isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")
        }
        let labelsOK = name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.utf8.first, let last = label.utf8.last else { return false }
            return isLowerAlphanumeric(first) && isLowerAlphanumeric(last)
        }
        if !allowed || !labelsOK {
            return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                + "and must start and end with an alphanumeric character (e.g. 'example.com')"
        }
        return nil
    }

    /// An IANA service name, as port names must be: at most 15 characters of lowercase letters,
    /// digits and '-', at least one letter, no '-' at either end and no "--".
    static func portNameProblem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        if bytes.count > 15 { return "must be no more than 15 characters" }
        if bytes.isEmpty { return "must not be empty" }
        if !bytes.allSatisfy({ isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }) {
            return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
        }
        if name.contains("--") { return "must not contain consecutive hyphens" }
        if !bytes.contains(where: { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) {
            return "must contain at least one letter (a-z)"
        }
        if bytes.first == UInt8(ascii: "-") || bytes.last == UInt8(ascii: "-") {
            return "must not begin or end with a hyphen"
        }
        return nil
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
