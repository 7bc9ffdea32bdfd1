extension Container {
    static let portProtocols = ["TCP", "UDP", "SCTP"]
    static let schemes = ["HTTP", "HTTPS"]

    func validate(
        path: String, isInit: Bool, volumeNames: Set<String>, seenNames: inout Set<String>,
        into errors: inout [FieldError]
    ) {
        if name.isEmpty {
            errors.append(FieldError(field: "\(path).name", kind: .required))
        } else {
            if let problem = NameRules.dns1123LabelProblem(name) {
                errors.append(FieldError(field: "\(path).name", value: name, detail: problem))
            }
            if !seenNames.insert(name).inserted {
                errors.append(FieldError(field: "\(path).name", value: name, kind: .duplicate))
            }
        }

        let image = image ?? ""
        if image.isEmpty {
            errors.append(FieldError(field: "\(path).image", kind: .required))
        } else if image != image.trimmingWhitespace {
            errors.append(FieldError(
                field: "\(path).image", value: image, detail: "must not have leading or trailing whitespace"))
        }
        if let imagePullPolicy, !PullPolicy.supported.contains(imagePullPolicy) {
            errors.append(FieldError(
                field: "\(path).imagePullPolicy", value: imagePullPolicy.rawValue,
                detail: supportedValues(PullPolicy.supported.map(\.rawValue)), kind: .notSupported))
        }

        validatePorts(path: "\(path).ports", into: &errors)
        validateEnv(path: "\(path).env", into: &errors)
        validateResources(path: "\(path).resources", into: &errors)
        validateVolumeMounts(path: "\(path).volumeMounts", volumeNames: volumeNames, into: &errors)

        let probes: [(String, Probe?, Bool)] = [
            ("livenessProbe", livenessProbe, true),
            ("readinessProbe", readinessProbe, false),
            ("startupProbe", startupProbe, true),
        ]
        for (field, probe, successMustBeOne) in probes {
            guard let probe else { continue }
            if isInit {
                errors.append(FieldError(
                    field: "\(path).\(field)", detail: "may not be set for init containers", kind: .forbidden))
                continue
            }
            validateProbe(probe, path: "\(path).\(field)", successMustBeOne: successMustBeOne, into: &errors)
        }

        if let lifecycle {
            if isInit {
                errors.append(FieldError(
                    field: "\(path).lifecycle", detail: "may not be set for init containers", kind: .forbidden))
            } else {
                for (field, handler) in [("postStart", lifecycle.postStart), ("preStop", lifecycle.preStop)] {
                    guard let handler else { continue }
                    validateHandler(
                        exec: handler.exec, httpGet: handler.httpGet, tcpSocket: handler.tcpSocket,
                        path: "\(path).lifecycle.\(field)", into: &errors)
                }
            }
        }
    }

    private func validatePorts(path: String, into errors: inout [FieldError]) {
        var names: Set<String> = []
        for (index, port) in (ports ?? []).enumerated() {
            let portPath = "\(path)[\(index)]"
            if let name = port.name, !name.isEmpty {
                if let problem = NameRules.portNameProblem(name) {
                    errors.append(FieldError(field: "\(portPath).name", value: name, detail: problem))
                } else if !names.insert(name).inserted {
                    errors.append(FieldError(field: "\(portPath).name", value: name, kind: .duplicate))
                }
            }
            if !(1...65535).contains(port.containerPort) {
                errors.append(FieldError(
                    field: "\(portPath).containerPort", value: String(port.containerPort),
                    detail: "must be between 1 and 65535, inclusive"))
            }
            // 0 means "not published", as in the API.
            if let hostPort = port.hostPort, hostPort != 0, !(1...65535).contains(hostPort) {
                errors.append(FieldError(
                    field: "\(portPath).hostPort", value: String(hostPort),
                    detail: "must be between 1 and 65535, inclusive"))
            }
            if let proto = port.protocol, !Self.portProtocols.contains(proto) {
                errors.append(FieldError(
                    field: "\(portPath).protocol", value: proto,
                    detail: supportedValues(Self.portProtocols), kind: .notSupported))
            }
        }
    }

    private func validateEnv(path: String, into errors: inout [FieldError]) {
        for (index, variable) in (env ?? []).enumerated() {
            let variablePath = "\(path)[\(index)]"
            if variable.name.isEmpty {
                errors.append(FieldError(field: "\(variablePath).name", kind: .required))
            } else if variable.name.contains("=")
                || !variable.name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F })
            {
                errors.append(FieldError(
                    field: "\(variablePath).name", value: variable.name,
                    detail: "a valid environment variable name must consist only of printable ASCII characters "
                        + "other than '='"))
            }
            guard let source = variable.valueFrom else { continue }
            if !(variable.value ?? "").isEmpty {
                errors.append(FieldError(
                    field: "\(variablePath).valueFrom", detail: "may not be specified when `value` is not empty"))
            }
            let count = [source.fieldRef != nil, source.resourceFieldRef != nil, source.configMapKeyRef != nil, source.secretKeyRef != nil]
                .filter { $0 }.count
            if count == 0 {
                errors.append(FieldError(
                    field: "\(variablePath).valueFrom",
                    detail: "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
                    kind: .invalid))
                continue
            }
            if count > 1 {
                errors.append(FieldError(
                    field: "\(variablePath).valueFrom",
                    detail: "may not have more than one field specified at a time"))
                continue
            }
            for (name, selector) in [("configMapKeyRef", source.configMapKeyRef), ("secretKeyRef", source.secretKeyRef)] {
                guard let selector else { continue }
                if (selector.name ?? "").isEmpty {
                    errors.append(FieldError(field: "\(variablePath).valueFrom.\(name).name", kind: .required))
                }
                if selector.key.isEmpty {
                    errors.append(FieldError(field: "\(variablePath).valueFrom.\(name).key", kind: .required))
                } else if let problem = NameRules.configMapKeyProblem(selector.key) {
                    errors.append(FieldError(field: "\(variablePath).valueFrom.\(name).key", value: selector.key, detail: problem))
                }
            }
            if let resourceRef = source.resourceFieldRef {
                Volume.validateResourceField(resourceRef, path: "\(variablePath).valueFrom.resourceFieldRef", into: &errors)
                if let container = resourceRef.containerName, !container.isEmpty, container != name {
                    // The API server checks the name against the pod's containers; this node
                    // resolves only the container's own resources.
                    errors.append(FieldError(
                        field: "\(variablePath).valueFrom.resourceFieldRef.containerName", value: container,
                        detail: "must be the container itself (\(name))", kind: .notSupported))
                }
            }
            guard let fieldRef = source.fieldRef else { continue }
            if let apiVersion = fieldRef.apiVersion, !apiVersion.isEmpty, apiVersion != "v1" {
                errors.append(FieldError(
                    field: "\(variablePath).valueFrom.fieldRef.apiVersion", value: apiVersion,
                    detail: supportedValues(["v1"]), kind: .notSupported))
            }
            let fieldPath = fieldRef.fieldPath ?? ""
            if fieldPath.isEmpty {
                errors.append(FieldError(field: "\(variablePath).valueFrom.fieldRef.fieldPath", kind: .required))
            } else if !Self.isSupportedFieldPath(fieldPath) {
                errors.append(FieldError(
                    field: "\(variablePath).valueFrom.fieldRef.fieldPath", value: fieldPath,
                    detail: supportedValues(Self.downwardAPIFields), kind: .notSupported))
            }
        }
        for (index, source) in (envFrom ?? []).enumerated() {
            let sourcePath = "\(path.dropLast("env".count))envFrom[\(index)]"
            let refs = [("configMapRef", source.configMapRef), ("secretRef", source.secretRef)].filter { $0.1 != nil }
            if refs.isEmpty {
                errors.append(FieldError(field: sourcePath, detail: "must specify one of: `configMapRef` or `secretRef`"))
            } else if refs.count > 1 {
                errors.append(FieldError(field: sourcePath, detail: "may not have more than one field specified at a time"))
            }
            for (name, ref) in refs where (ref?.name ?? "").isEmpty {
                errors.append(FieldError(field: "\(sourcePath).\(name).name", kind: .required))
            }
            if let prefix = source.prefix, prefix.contains("=") {
                errors.append(FieldError(
                    field: "\(sourcePath).prefix", value: prefix,
                    detail: "a valid environment variable name must consist only of printable ASCII characters other than '='"))
            }
        }
    }

    static let downwardAPIFields = [
        "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
        "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
    ]

    /// The pod fields an environment variable may read; labels and annotations by key as well.
    static func isSupportedFieldPath(_ fieldPath: String) -> Bool {
        downwardAPIFields.contains(fieldPath)
            || fieldPath.hasPrefix("metadata.labels['") && fieldPath.hasSuffix("']")
            || fieldPath.hasPrefix("metadata.annotations['") && fieldPath.hasSuffix("']")
    }

    private func validateResources(path: String, into errors: inout [FieldError]) {
        guard let resources else { return }
        var validLimits: [String: Quantity] = [:]
        for (name, limit) in (resources.limits ?? [:]).sorted(by: { $0.key < $1.key }) {
            if validateQuantity(limit, field: "\(path).limits.\(name)", into: &errors) {
                validLimits[name] = limit
            }
        }
        for (name, request) in (resources.requests ?? [:]).sorted(by: { $0.key < $1.key }) {
            // Defaulting copies limits into requests; report a bad limit once, not twice.
            if let limit = resources.limits?[name], limit == request, validLimits[name] == nil { continue }
            guard validateQuantity(request, field: "\(path).requests.\(name)", into: &errors),
                let limit = validLimits[name],
                (try? request.compare(to: limit)) == .orderedDescending
            else { continue }
            errors.append(FieldError(
                field: "\(path).requests.\(name)", value: request.text,
                detail: "must be less than or equal to \(name) limit of \(limit.text)"))
        }
    }

    private func validateVolumeMounts(path: String, volumeNames: Set<String>, into errors: inout [FieldError]) {
        var mountPaths: Set<String> = []
        for (index, mount) in (volumeMounts ?? []).enumerated() {
            let mountPath = "\(path)[\(index)]"
            let name = mount.name ?? ""
            if name.isEmpty {
                errors.append(FieldError(field: "\(mountPath).name", kind: .required))
            } else if !volumeNames.contains(name) {
                errors.append(FieldError(
                    field: "\(mountPath).name", value: name, detail: "no volume of the pod has this name",
                    kind: .notFound))
            }
            let target = mount.mountPath ?? ""
            if target.isEmpty {
                errors.append(FieldError(field: "\(mountPath).mountPath", kind: .required))
            } else if !target.hasPrefix("/") {
                errors.append(FieldError(
                    field: "\(mountPath).mountPath", value: target, detail: "must be an absolute path"))
            } else if !mountPaths.insert(target).inserted {
                errors.append(FieldError(field: "\(mountPath).mountPath", value: target, detail: "must be unique"))
            }
            if let subPath = mount.subPath, !subPath.isEmpty {
                if subPath.hasPrefix("/") {
                    errors.append(FieldError(
                        field: "\(mountPath).subPath", value: subPath, detail: "must be a relative path"))
                } else if subPath.split(separator: "/").contains("..") {
                    errors.append(FieldError(
                        field: "\(mountPath).subPath", value: subPath, detail: "must not contain '..'"))
                }
            }
        }
    }

    private func validateProbe(_ probe: Probe, path: String, successMustBeOne: Bool, into errors: inout [FieldError]) {
        validateHandler(exec: probe.exec, httpGet: probe.httpGet, tcpSocket: probe.tcpSocket, path: path, into: &errors)
        let atLeastZero: [(String, Int32?)] = [("initialDelaySeconds", probe.initialDelaySeconds)]
        let atLeastOne: [(String, Int32?)] = [
            ("timeoutSeconds", probe.timeoutSeconds),
            ("periodSeconds", probe.periodSeconds),
            ("successThreshold", probe.successThreshold),
            ("failureThreshold", probe.failureThreshold),
        ]
        for (field, value) in atLeastZero {
            if let value, value < 0 {
                errors.append(FieldError(
                    field: "\(path).\(field)", value: String(value), detail: "must be greater than or equal to 0"))
            }
        }
        for (field, value) in atLeastOne {
            if let value, value < 1 {
                errors.append(FieldError(
                    field: "\(path).\(field)", value: String(value), detail: "must be greater than or equal to 1"))
            }
        }
        if successMustBeOne, let success = probe.successThreshold, success > 1 {
            errors.append(FieldError(field: "\(path).successThreshold", value: String(success), detail: "must be 1"))
        }
        if let grace = probe.terminationGracePeriodSeconds, grace < 1 {
            errors.append(FieldError(
                field: "\(path).terminationGracePeriodSeconds", value: String(grace),
                detail: "must be greater than 0"))
        }
    }

    /// Shared by probes and lifecycle hooks: exactly one action, each action well-formed.
    private func validateHandler(
        exec: ExecAction?, httpGet: HTTPGetAction?, tcpSocket: TCPSocketAction?, path: String,
        into errors: inout [FieldError]
    ) {
        let count = [exec != nil, httpGet != nil, tcpSocket != nil].filter { $0 }.count
        if count == 0 {
            errors.append(FieldError(
                field: path, detail: "must specify a handler type: exec, httpGet or tcpSocket", kind: .required))
        } else if count > 1 {
            errors.append(FieldError(field: path, detail: "may not specify more than 1 handler type", kind: .forbidden))
        }
        if let exec, exec.command?.isEmpty ?? true {
            errors.append(FieldError(field: "\(path).exec.command", kind: .required))
        }
        if let httpGet {
            validateHandlerPort(httpGet.port, path: "\(path).httpGet.port", into: &errors)
            if let scheme = httpGet.scheme, !Self.schemes.contains(scheme) {
                errors.append(FieldError(
                    field: "\(path).httpGet.scheme", value: scheme, detail: supportedValues(Self.schemes),
                    kind: .notSupported))
            }
            for (index, header) in (httpGet.httpHeaders ?? []).enumerated() {
                let field = "\(path).httpGet.httpHeaders[\(index)]"
                if header.name?.isEmpty ?? true {
                    errors.append(FieldError(field: "\(field).name", kind: .required))
                }
                // A CR or LF would end the header early and let the rest forge headers (or a
                // request) of its own: refused, as Go's HTTP client refuses to send it.
                for (part, text) in [("name", header.name), ("value", header.value)] {
                    if let text, HTTPHeaderText.hasLineBreak(text) {
                        errors.append(FieldError(
                            field: "\(field).\(part)", value: HTTPHeaderText.escaped(text),
                            detail: "must not contain a carriage return or line feed"))
                    }
                }
            }
        }
        if let tcpSocket {
            validateHandlerPort(tcpSocket.port, path: "\(path).tcpSocket.port", into: &errors)
        }
    }

    /// A numeric port must be a valid port; a named one must name one of this container's ports,
    /// or the kubelet could never resolve it.
    private func validateHandlerPort(_ port: IntOrString, path: String, into errors: inout [FieldError]) {
        switch port {
        case .int(let number):
            if !(1...65535).contains(number) {
                errors.append(FieldError(
                    field: path, value: String(number), detail: "must be between 1 and 65535, inclusive"))
            }
        case .string(let name):
            if let problem = NameRules.portNameProblem(name) {
                errors.append(FieldError(field: path, value: name, detail: problem))
            } else if !(ports ?? []).contains(where: { $0.name == name }) {
                errors.append(FieldError(
                    field: path, value: name,
                    detail: "must be the name of one of container \"\(self.name)\"'s ports"))
            }
        }
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    var trimmingWhitespace: Substring {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[first...last]
    }
}
