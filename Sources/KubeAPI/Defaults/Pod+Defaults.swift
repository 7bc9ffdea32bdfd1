extension Pod {
    /// The pod as the API server would store it, with every default filled in.
    ///
    /// Static pods from manifest files never pass through an API server, so the node applies the
    /// same defaults itself; pods from the master already have them and come back unchanged. Like
    /// Go's zero values, an empty string (and a zero probe number) counts as unset.
    public func withDefaults() -> Pod {
        var pod = self
        if pod.metadata.namespace?.isEmpty ?? true {
            pod.metadata.namespace = "default"
        }
        pod.spec = spec.withDefaults()
        pod.spec.containers = pod.spec.containers.map { $0.withRequestsDefaultedToLimits() }
        pod.spec.initContainers = pod.spec.initContainers?.map { $0.withRequestsDefaultedToLimits() }
        return pod
    }
}

extension PodSpec {
    /// The spec with the API server's defaults: restart policy `Always`, grace period 30 s, DNS
    /// policy `ClusterFirst`, every container defaulted, and host ports equal to container ports
    /// under host networking.
    public func withDefaults() -> PodSpec {
        var spec = self
        if spec.restartPolicy?.rawValue.isEmpty ?? true { spec.restartPolicy = .always }
        if spec.terminationGracePeriodSeconds == nil { spec.terminationGracePeriodSeconds = 30 }
        if spec.dnsPolicy?.isEmpty ?? true { spec.dnsPolicy = "ClusterFirst" }
        let hostNetwork = spec.hostNetwork ?? false
        spec.volumes = spec.volumes?.map { $0.withDefaults() }
        spec.containers = spec.containers.map { $0.withDefaults(hostNetwork: hostNetwork) }
        spec.initContainers = spec.initContainers?.map { $0.withDefaults(hostNetwork: hostNetwork) }
        return spec
    }
}

extension Container {
    /// The container with the API server's defaults: pull policy from the image tag, termination
    /// message path, port protocol `TCP`, probe timings, HTTP path `/` and scheme `HTTP`.
    ///
    /// - Parameter hostNetwork: Whether the pod uses the node's network, in which case each port's
    ///   `hostPort` defaults to its `containerPort`.
    public func withDefaults(hostNetwork: Bool = false) -> Container {
        var container = self
        if container.imagePullPolicy?.rawValue.isEmpty ?? true {
            container.imagePullPolicy = Container.defaultImagePullPolicy(forImage: image ?? "")
        }
        if container.terminationMessagePath?.isEmpty ?? true {
            container.terminationMessagePath = "/dev/termination-log"
        }
        container.ports = ports?.map { port in
            var port = port
            if port.protocol?.isEmpty ?? true { port.protocol = "TCP" }
            if hostNetwork, (port.hostPort ?? 0) == 0 { port.hostPort = port.containerPort }
            return port
        }
        container.env = env?.map { variable in
            var variable = variable
            if let fieldRef = variable.valueFrom?.fieldRef, fieldRef.apiVersion?.isEmpty ?? true {
                variable.valueFrom?.fieldRef?.apiVersion = "v1"
            }
            return variable
        }
        container.livenessProbe = livenessProbe?.withDefaults()
        container.readinessProbe = readinessProbe?.withDefaults()
        container.startupProbe = startupProbe?.withDefaults()
        container.lifecycle?.postStart = lifecycle?.postStart?.withDefaults()
        container.lifecycle?.preStop = lifecycle?.preStop?.withDefaults()
        return container
    }

    /// The pull policy the API server picks when none is given: `Always` for an untagged or
    /// `:latest` image (it may have moved), `IfNotPresent` for any other tag or a digest.
    ///
    /// A registry port ("localhost:5000/redis") is not a tag: only a colon after the last slash is.
    public static func defaultImagePullPolicy(forImage image: String) -> PullPolicy {
        var reference = Substring(image)
        var hasDigest = false
        if let at = reference.firstIndex(of: "@") {
            reference = reference[..<at]
            hasDigest = true
        }
        let lastComponent = reference.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        let tag: Substring?
        if let colon = lastComponent.lastIndex(of: ":") {
            tag = lastComponent[lastComponent.index(after: colon)...]
        } else {
            tag = nil
        }
        switch tag {
        case "latest": return .always
        case nil where !hasDigest && !image.isEmpty: return .always
        default: return .ifNotPresent
        }
    }

    /// Requests copied from limits for each resource that has a limit and no request, as the API
    /// server does for pods.
    func withRequestsDefaultedToLimits() -> Container {
        guard let limits = resources?.limits, !limits.isEmpty else { return self }
        var container = self
        var requests = resources?.requests ?? [:]
        for (name, limit) in limits where requests[name] == nil {
            requests[name] = limit
        }
        container.resources?.requests = requests
        return container
    }
}

extension Probe {
    /// The probe with Kubernetes' timings (timeout 1 s, period 10 s, success 1, failure 3) where
    /// unset or zero, and its HTTP action defaulted. The initial delay stays unset, meaning 0.
    public func withDefaults() -> Probe {
        var probe = self
        if (probe.timeoutSeconds ?? 0) == 0 { probe.timeoutSeconds = 1 }
        if (probe.periodSeconds ?? 0) == 0 { probe.periodSeconds = 10 }
        if (probe.successThreshold ?? 0) == 0 { probe.successThreshold = 1 }
        if (probe.failureThreshold ?? 0) == 0 { probe.failureThreshold = 3 }
        probe.httpGet = httpGet?.withDefaults()
        return probe
    }
}

extension LifecycleHandler {
    /// The handler with its HTTP action defaulted.
    public func withDefaults() -> LifecycleHandler {
        var handler = self
        handler.httpGet = httpGet?.withDefaults()
        return handler
    }
}

extension HTTPGetAction {
    /// The action with path `/` and scheme `HTTP` where unset.
    public func withDefaults() -> HTTPGetAction {
        var action = self
        if action.path?.isEmpty ?? true { action.path = "/" }
        if action.scheme?.isEmpty ?? true { action.scheme = "HTTP" }
        return action
    }
}
