extension KubeletConfiguration {
    /// The file's fields as clc-node's flags (`--manifest-dir` for staticPodPath), in the
    /// file's terms converted to the flags' (Go durations to whole seconds, lists joined).
    /// - Parameter file: the file's name, for messages.
    /// - Throws: ``KubeletConfigError`` naming a duration that is not one.
    public func flags(file: String) throws(KubeletConfigError) -> [(flag: String, value: String)] {
        func seconds(_ field: String, _ text: String?) throws(KubeletConfigError) -> String? {
            guard let text else { return nil }
            guard let value = GoDuration.wholeSeconds(text) else {
                throw KubeletConfigError(file: file, field: field, detail: "\"\(text)\" is not a duration such as 1m0s")
            }
            return String(value)
        }
        let candidates: [(String, String?)] = [
            ("manifest-dir", staticPodPath),
            ("address", address),
            ("port", port.map(String.init)),
            ("healthz-bind-address", healthzBindAddress),
            ("healthz-port", healthzPort.map(String.init)),
            ("tls-cert-file", tlsCertFile),
            ("tls-private-key-file", tlsPrivateKeyFile),
            ("anonymous-auth", authentication?.anonymous?.enabled.map(String.init)),
            ("authentication-token-webhook", authentication?.webhook?.enabled.map(String.init)),
            ("client-ca-file", authentication?.x509?.clientCAFile),
            ("authorization-mode", authorization?.mode),
            ("cluster-dns", clusterDNS.map { $0.joined(separator: ",") }),
            ("cluster-domain", clusterDomain),
            ("resolv-conf", resolvConf),
            ("resync-interval", try seconds("syncFrequency", syncFrequency)),
            ("node-status-interval", try seconds("nodeStatusUpdateFrequency", nodeStatusUpdateFrequency)),
            ("kube-api-qps", kubeAPIQPS.map(String.init)),
            ("kube-api-burst", kubeAPIBurst.map(String.init)),
        ]
        return candidates.compactMap { flag, value in value.map { (flag, $0) } }
    }
}
