extension MasterDouble {
    /// What TokenReview and SubjectAccessReview answer from: known bearer tokens and allow
    /// rules. A change applies to the next review.
    ///
    /// ```swift
    /// master.authPolicy = AuthPolicy(
    ///     tokens: ["t0ken": ReviewedUser(username: "alice", groups: ["ops"])],
    ///     rules: [AccessRule(.user("alice"), verb: "get", resource: "nodes", subresource: "stats")])
    /// ```
    public var authPolicy: AuthPolicy {
        get { settings.withLock { $0.auth } }
        set { settings.withLock { $0.auth = newValue } }
    }
}

extension MasterDouble {
    /// How the double reaches nodes when it relays pods/log, pods/exec, pods/attach,
    /// pods/portforward and nodes/proxy: its client certificate, the CA it checks nodes with
    /// (none: not checked, as kube-apiserver without `--kubelet-certificate-authority`), and
    /// which Node address type it dials. The port is the Node's
    /// `status.daemonEndpoints.kubeletEndpoint.Port` (10250 when unset).
    public var kubeletClient: KubeletClientSettings {
        get { settings.withLock { $0.kubeletClient } }
        set { settings.withLock { $0.kubeletClient = newValue } }
    }
}
