extension Pod {
    /// Every problem the API server would reject this pod for, within the fields this module
    /// models, each with its field path. Empty means valid.
    ///
    /// Validate the defaulted pod (`withDefaults().validationErrors()`), as the API server does:
    /// a probe period of 0 is invalid as written but defaulting turns it into 10.
    public func validationErrors() -> [FieldError] {
        var errors: [FieldError] = []
        validateMetadata(into: &errors)
        spec.validate(path: "spec", into: &errors)
        return errors
    }

    /// The pod itself when valid.
    ///
    /// - Throws: `PodValidationError` listing every problem, naming the pod.
    public func validated() throws(PodValidationError) -> Pod {
        let errors = validationErrors()
        if !errors.isEmpty { throw PodValidationError(pod: self, errors: errors) }
        return self
    }

    private func validateMetadata(into errors: inout [FieldError]) {
        if let name = metadata.name, !name.isEmpty {
            if let problem = NameRules.dns1123SubdomainProblem(name) {
                errors.append(FieldError(field: "metadata.name", value: name, detail: problem))
            }
        } else if metadata.generateName?.isEmpty ?? true {
            errors.append(FieldError(
                field: "metadata.name", detail: "name or generateName is required", kind: .required))
        }
        if let namespace = metadata.namespace, !namespace.isEmpty,
            let problem = NameRules.dns1123LabelProblem(namespace)
        {
            errors.append(FieldError(field: "metadata.namespace", value: namespace, detail: problem))
        }
    }
}

extension PodSpec {
    static let dnsPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
    static let hostPathTypes = [
        "", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice",
    ]

    func validate(path: String, into errors: inout [FieldError]) {
        let volumeNames = validateVolumes(path: "\(path).volumes", into: &errors)

        if containers.isEmpty {
            errors.append(FieldError(field: "\(path).containers", kind: .required))
        }
        // Names are unique across init and app containers: both share the pod's name space.
        var containerNames: Set<String> = []
        for (index, container) in (initContainers ?? []).enumerated() {
            container.validate(
                path: "\(path).initContainers[\(index)]", isInit: true, volumeNames: volumeNames,
                seenNames: &containerNames, into: &errors)
        }
        for (index, container) in containers.enumerated() {
            container.validate(
                path: "\(path).containers[\(index)]", isInit: false, volumeNames: volumeNames,
                seenNames: &containerNames, into: &errors)
        }

        if let restartPolicy, !RestartPolicy.supported.contains(restartPolicy) {
            errors.append(FieldError(
                field: "\(path).restartPolicy", value: restartPolicy.rawValue,
                detail: supportedValues(RestartPolicy.supported.map(\.rawValue)), kind: .notSupported))
        }
        if let dnsPolicy, !Self.dnsPolicies.contains(dnsPolicy) {
            errors.append(FieldError(
                field: "\(path).dnsPolicy", value: dnsPolicy,
                detail: supportedValues(Self.dnsPolicies), kind: .notSupported))
        }
        validateDNSConfig(path: path, into: &errors)
        if let grace = terminationGracePeriodSeconds, grace < 0 {
            errors.append(FieldError(
                field: "\(path).terminationGracePeriodSeconds", value: String(grace),
                detail: "must be greater than or equal to 0"))
        }
        if let deadline = activeDeadlineSeconds, deadline < 1 {
            errors.append(FieldError(
                field: "\(path).activeDeadlineSeconds", value: String(deadline),
                detail: "must be greater than or equal to 1"))
        }
        for (field, value) in [("hostname", hostname), ("subdomain", subdomain)] {
            if let value, !value.isEmpty, let problem = NameRules.dns1123LabelProblem(value) {
                errors.append(FieldError(field: "\(path).\(field)", value: value, detail: problem))
            }
        }
    }

    /// Validates the volumes and returns their names, for volume mounts to refer to.
    private func validateVolumes(path: String, into errors: inout [FieldError]) -> Set<String> {
        var names: Set<String> = []
        for (index, volume) in (volumes ?? []).enumerated() {
            let volumePath = "\(path)[\(index)]"
            if let name = volume.name, !name.isEmpty {
                if let problem = NameRules.dns1123LabelProblem(name) {
                    errors.append(FieldError(field: "\(volumePath).name", value: name, detail: problem))
                }
                if !names.insert(name).inserted {
                    errors.append(FieldError(field: "\(volumePath).name", value: name, kind: .duplicate))
                }
            } else {
                errors.append(FieldError(field: "\(volumePath).name", kind: .required))
            }

            let sources = volume.sourceNames
            if sources.isEmpty {
                errors.append(FieldError(
                    field: volumePath,
                    detail: "must specify a volume type: emptyDir, hostPath, secret, configMap, downwardAPI or projected "
                        + "(other types are not supported by this node)",
                    kind: .required))
            } else if sources.count > 1 {
                errors.append(FieldError(
                    field: "\(volumePath).\(sources[1])", detail: "may not specify more than 1 volume type",
                    kind: .forbidden))
            }
            volume.validateConfigSources(path: volumePath, into: &errors)
            if let emptyDir = volume.emptyDir {
                let medium = emptyDir.medium ?? ""
                if !(medium == "" || medium == "Memory" || medium.hasPrefix("HugePages")) {
                    errors.append(FieldError(
                        field: "\(volumePath).emptyDir.medium", value: medium,
                        detail: supportedValues(["", "Memory", "HugePages"]), kind: .notSupported))
                }
                if let sizeLimit = emptyDir.sizeLimit {
                    validateQuantity(sizeLimit, field: "\(volumePath).emptyDir.sizeLimit", into: &errors)
                }
            }
            if let hostPath = volume.hostPath {
                if hostPath.path.isEmpty {
                    errors.append(FieldError(field: "\(volumePath).hostPath.path", kind: .required))
                } else if hostPath.path.split(separator: "/").contains("..") {
                    errors.append(FieldError(
                        field: "\(volumePath).hostPath.path", value: hostPath.path,
                        detail: "must not contain '..'"))
                }
                if let type = hostPath.type, !Self.hostPathTypes.contains(type) {
                    errors.append(FieldError(
                        field: "\(volumePath).hostPath.type", value: type,
                        detail: supportedValues(Self.hostPathTypes), kind: .notSupported))
                }
            }
        }
        return names
    }
}

/// "supported values: \"Always\", \"Never\"", as the API server words `NotSupported`.
func supportedValues(_ values: [String]) -> String {
    "supported values: " + values.map { "\"\($0)\"" }.joined(separator: ", ")
}

/// Appends an error when the quantity does not parse or is negative.
///
/// - Returns: Whether the quantity is valid, so callers compare only valid ones.
@discardableResult
func validateQuantity(_ quantity: Quantity, field: String, into errors: inout [FieldError]) -> Bool {
    do {
        let value = try quantity.parsed()
        if value.isNegative {
            errors.append(FieldError(field: field, value: quantity.text, detail: "must be greater than or equal to 0"))
            return false
        }
        return true
    } catch {
        errors.append(FieldError(field: field, value: quantity.text, detail: error.description))
        return false
    }
}
