/// Validation of the secret, configMap, downwardAPI and projected volume sources, as the API
/// server's `validateVolumeSource` words it.
extension Volume {
    /// The largest file mode a volume may ask for: 0777.
    static let maximumMode: Int32 = 0o777
    /// Resources a `resourceFieldRef` may name.
    public static let resourceFieldResources = [
        "limits.cpu", "limits.memory", "limits.ephemeral-storage", "requests.cpu", "requests.memory",
        "requests.ephemeral-storage",
    ]
    /// Pod fields a downward API volume file may hold (fewer than environment variables: the
    /// pod's addresses are not known when its volumes are set up).
    static let volumeFieldPaths = ["metadata.name", "metadata.namespace", "metadata.uid", "metadata.labels", "metadata.annotations"]

    func validateConfigSources(path: String, into errors: inout [FieldError]) {
        if let secret {
            let sourcePath = "\(path).secret"
            if (secret.secretName ?? "").isEmpty {
                errors.append(FieldError(field: "\(sourcePath).secretName", kind: .required))
            }
            Self.validateMode(secret.defaultMode, field: "\(sourcePath).defaultMode", into: &errors)
            Self.validateItems(secret.items, path: "\(sourcePath).items", into: &errors)
        }
        if let configMap {
            let sourcePath = "\(path).configMap"
            if (configMap.name ?? "").isEmpty {
                errors.append(FieldError(field: "\(sourcePath).name", kind: .required))
            }
            Self.validateMode(configMap.defaultMode, field: "\(sourcePath).defaultMode", into: &errors)
            Self.validateItems(configMap.items, path: "\(sourcePath).items", into: &errors)
        }
        if let downwardAPI {
            let sourcePath = "\(path).downwardAPI"
            Self.validateMode(downwardAPI.defaultMode, field: "\(sourcePath).defaultMode", into: &errors)
            Self.validateDownwardItems(downwardAPI.items, path: "\(sourcePath).items", into: &errors)
        }
        if let projected {
            validateProjected(projected, path: "\(path).projected", into: &errors)
        }
    }

    private func validateProjected(_ projected: ProjectedVolumeSource, path: String, into errors: inout [FieldError]) {
        Self.validateMode(projected.defaultMode, field: "\(path).defaultMode", into: &errors)
        var seenPaths: Set<String> = []
        for (index, source) in (projected.sources ?? []).enumerated() {
            let sourcePath = "\(path).sources[\(index)]"
            let count = [source.secret != nil, source.configMap != nil, source.downwardAPI != nil, source.serviceAccountToken != nil]
                .filter { $0 }.count
            if count == 0 {
                errors.append(FieldError(field: sourcePath, detail: "must specify exactly 1 source", kind: .required))
            } else if count > 1 {
                errors.append(FieldError(field: sourcePath, detail: "may not specify more than 1 volume type", kind: .forbidden))
            }
            var paths: [(String, String)] = []
            if let secret = source.secret {
                if (secret.name ?? "").isEmpty { errors.append(FieldError(field: "\(sourcePath).secret.name", kind: .required)) }
                Self.validateItems(secret.items, path: "\(sourcePath).secret.items", into: &errors)
                paths += (secret.items ?? []).enumerated().map { ("\(sourcePath).secret.items[\($0.offset)].path", $0.element.path) }
            }
            if let configMap = source.configMap {
                if (configMap.name ?? "").isEmpty { errors.append(FieldError(field: "\(sourcePath).configMap.name", kind: .required)) }
                Self.validateItems(configMap.items, path: "\(sourcePath).configMap.items", into: &errors)
                paths += (configMap.items ?? []).enumerated().map { ("\(sourcePath).configMap.items[\($0.offset)].path", $0.element.path) }
            }
            if let downwardAPI = source.downwardAPI {
                Self.validateDownwardItems(downwardAPI.items, path: "\(sourcePath).downwardAPI.items", into: &errors)
                paths += (downwardAPI.items ?? []).enumerated().map { ("\(sourcePath).downwardAPI.items[\($0.offset)].path", $0.element.path) }
            }
            if let token = source.serviceAccountToken {
                let tokenPath = "\(sourcePath).serviceAccountToken"
                if let seconds = token.expirationSeconds {
                    if seconds < 600 {
                        errors.append(FieldError(
                            field: "\(tokenPath).expirationSeconds", value: String(seconds),
                            detail: "may not specify a duration less than 10 minutes"))
                    } else if seconds > 1 << 32 {
                        errors.append(FieldError(
                            field: "\(tokenPath).expirationSeconds", value: String(seconds),
                            detail: "may not specify a duration larger than 2^32 seconds"))
                    }
                }
                if token.path.isEmpty {
                    errors.append(FieldError(field: "\(tokenPath).path", kind: .required))
                } else {
                    Self.validatePath(token.path, field: "\(tokenPath).path", into: &errors)
                    paths.append(("\(tokenPath).path", token.path))
                }
            }
            for (field, file) in paths where !file.isEmpty {
                if !seenPaths.insert(file).inserted {
                    errors.append(FieldError(field: field, value: file, detail: "conflicting duplicate paths"))
                }
            }
        }
    }

    static func validateMode(_ mode: Int32?, field: String, into errors: inout [FieldError]) {
        guard let mode, mode < 0 || mode > maximumMode else { return }
        errors.append(FieldError(
            field: field, value: String(mode), detail: "must be a number between 0 and 0777 (octal), both inclusive"))
    }

    static func validateItems(_ items: [KeyToPath]?, path: String, into errors: inout [FieldError]) {
        for (index, item) in (items ?? []).enumerated() {
            let itemPath = "\(path)[\(index)]"
            if item.key.isEmpty {
                errors.append(FieldError(field: "\(itemPath).key", kind: .required))
            } else if let problem = NameRules.configMapKeyProblem(item.key) {
                errors.append(FieldError(field: "\(itemPath).key", value: item.key, detail: problem))
            }
            if item.path.isEmpty {
                errors.append(FieldError(field: "\(itemPath).path", kind: .required))
            } else {
                validatePath(item.path, field: "\(itemPath).path", into: &errors)
            }
            validateMode(item.mode, field: "\(itemPath).mode", into: &errors)
        }
    }

    static func validateDownwardItems(_ items: [DownwardAPIVolumeFile]?, path: String, into errors: inout [FieldError]) {
        for (index, item) in (items ?? []).enumerated() {
            let itemPath = "\(path)[\(index)]"
            if item.path.isEmpty {
                errors.append(FieldError(field: "\(itemPath).path", kind: .required))
            } else {
                validatePath(item.path, field: "\(itemPath).path", into: &errors)
            }
            validateMode(item.mode, field: "\(itemPath).mode", into: &errors)
            switch (item.fieldRef, item.resourceFieldRef) {
            case (nil, nil):
                errors.append(FieldError(
                    field: itemPath, detail: "fieldRef or resourceFieldRef is required", kind: .required))
            case (.some, .some):
                errors.append(FieldError(
                    field: itemPath, value: "", detail: "fieldRef and resourceFieldRef can not be specified simultaneously"))
            case (let fieldRef?, nil):
                let fieldPath = fieldRef.fieldPath ?? ""
                let base = fieldPath.split(separator: "[", maxSplits: 1).first.map(String.init) ?? ""
                if fieldPath.isEmpty {
                    errors.append(FieldError(field: "\(itemPath).fieldRef.fieldPath", kind: .required))
                } else if !volumeFieldPaths.contains(base)
                    || (base != fieldPath && !Container.isSupportedFieldPath(fieldPath))
                {
                    errors.append(FieldError(
                        field: "\(itemPath).fieldRef.fieldPath", value: fieldPath,
                        detail: supportedValues(volumeFieldPaths), kind: .notSupported))
                }
            case (nil, let resourceRef?):
                if (resourceRef.containerName ?? "").isEmpty {
                    errors.append(FieldError(field: "\(itemPath).resourceFieldRef.containerName", kind: .required))
                }
                validateResourceField(resourceRef, path: "\(itemPath).resourceFieldRef", into: &errors)
            }
        }
    }

    static func validateResourceField(_ selector: ResourceFieldSelector, path: String, into errors: inout [FieldError]) {
        if selector.resource.isEmpty {
            errors.append(FieldError(field: "\(path).resource", kind: .required))
        } else if !resourceFieldResources.contains(selector.resource) {
            errors.append(FieldError(
                field: "\(path).resource", value: selector.resource, detail: supportedValues(resourceFieldResources),
                kind: .notSupported))
        }
        if let divisor = selector.divisor, validateQuantity(divisor, field: "\(path).divisor", into: &errors), divisor.isZero {
            errors.append(FieldError(field: "\(path).divisor", value: divisor.text, detail: "must be greater than 0"))
        }
    }

    /// `validateLocalNonReservedPath`: relative, no `..` element, not starting with `..`.
    static func validatePath(_ path: String, field: String, into errors: inout [FieldError]) {
        if path.hasPrefix("/") {
            errors.append(FieldError(field: field, value: path, detail: "must be a relative path"))
        } else if path.split(separator: "/", omittingEmptySubsequences: false).contains("..") {
            errors.append(FieldError(field: field, value: path, detail: "must not contain '..'"))
        } else if path.hasPrefix("..") {
            errors.append(FieldError(field: field, value: path, detail: "must not start with '..'"))
        }
    }
}
