extension Pod {
    /// What is wrong with the pod's identity before it becomes a path
    /// (`<state>/pods/<uid>`), a Docker container name (`k8s_<c>_<pod>_<ns>_<uid>_<n>`) or an
    /// nftables element: the name a DNS-1123 subdomain, the namespace a DNS-1123 label, the UID
    /// a ``Pod/isSafeUID(_:)``. The API server guarantees the first two and generates UUIDs;
    /// the node checks anyway, as a master (or a double) is not trusted to.
    public func identityErrors() -> [FieldError] {
        var errors: [FieldError] = []
        let name = metadata.name ?? ""
        if let problem = NameRules.dns1123SubdomainProblem(name) {
            errors.append(FieldError(field: "metadata.name", value: name, detail: problem))
        }
        let namespace = metadata.namespace ?? "default"
        if let problem = NameRules.dns1123LabelProblem(namespace) {
            errors.append(FieldError(field: "metadata.namespace", value: namespace, detail: problem))
        }
        let uid = metadata.uid ?? ""
        if !Pod.isSafeUID(uid) {
            errors.append(FieldError(
                field: "metadata.uid", value: uid,
                detail: "must be 1 to 128 letters, digits, '-', '_' or '.', not '.' or '..' (it becomes a directory and container name)"))
        }
        return errors
    }

    /// A UID that can be a single path component and part of a Docker name: 1-128 of
    /// `[A-Za-z0-9_.-]`, starting alphanumeric (so never "." or "..").
    public static func isSafeUID(_ uid: String) -> Bool {
        let bytes = Array(uid.utf8)
        guard (1...128).contains(bytes.count), let first = bytes.first, isAlphanumeric(first) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
