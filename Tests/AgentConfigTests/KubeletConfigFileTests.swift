import Testing

@testable import AgentConfig

@Suite("A KubeletConfiguration file as --config")
struct KubeletConfigFileTests {
    static let full = """
        apiVersion: kubelet.config.k8s.io/v1beta1
        kind: KubeletConfiguration
        staticPodPath: /etc/kubernetes/manifests
        address: 10.0.0.5
        port: 10260
        healthzBindAddress: 0.0.0.0
        healthzPort: 10258
        tlsCertFile: /etc/kubernetes/pki/kubelet.crt
        tlsPrivateKeyFile: /etc/kubernetes/pki/kubelet.key
        authentication:
          anonymous:
            enabled: false
          webhook:
            enabled: true
            cacheTTL: 2m0s
          x509:
            clientCAFile: /etc/kubernetes/pki/ca.crt
        authorization:
          mode: Webhook
        clusterDNS:
        - 10.254.0.10
        - 10.254.0.11
        clusterDomain: cluster.local
        resolvConf: /run/systemd/resolve/resolv.conf
        syncFrequency: 1m0s
        fileCheckFrequency: 20s
        nodeStatusUpdateFrequency: 10s
        evictionHard:
          memory.available: 100Mi
        maxPods: 110
        """

    @Test("every field the agent has becomes its flag")
    func fieldsBecomeFlags() throws {
        let loaded = try KubeletConfigFile.parse(Self.full, file: "/etc/kubelet.yaml")
        let flags = try loaded.configuration.flags(file: "/etc/kubelet.yaml").map { "--\($0.flag)=\($0.value)" }
        #expect(
            flags == [
                "--manifest-dir=/etc/kubernetes/manifests", "--address=10.0.0.5", "--port=10260", "--healthz-bind-address=0.0.0.0",
                "--healthz-port=10258", "--tls-cert-file=/etc/kubernetes/pki/kubelet.crt",
                "--tls-private-key-file=/etc/kubernetes/pki/kubelet.key", "--anonymous-auth=false",
                "--authentication-token-webhook=true", "--client-ca-file=/etc/kubernetes/pki/ca.crt", "--authorization-mode=Webhook",
                "--cluster-dns=10.254.0.10,10.254.0.11", "--cluster-domain=cluster.local",
                "--resolv-conf=/run/systemd/resolve/resolv.conf", "--resync-interval=60", "--node-status-interval=10",
            ])
    }

    @Test("each field the agent does not use is warned about once, by name")
    func unusedFieldsWarned() throws {
        let loaded = try KubeletConfigFile.parse(Self.full, file: "/etc/kubelet.yaml")
        #expect(
            loaded.warnings == [
                "--config /etc/kubelet.yaml: field authentication.webhook.cacheTTL ignored: token reviews are not cached",
                "--config /etc/kubelet.yaml: field fileCheckFrequency ignored: the static pod directory is watched with inotify and rescanned every 2 s",
                "--config /etc/kubelet.yaml: field evictionHard ignored: clc-node evicts no pods (no eviction manager)",
                "--config /etc/kubelet.yaml: field maxPods ignored: clc-node does not use it",
            ])
    }

    @Test("the same configuration as JSON reads the same")
    func json() throws {
        let text = """
            {"apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration",
             "port": 10260, "clusterDNS": ["10.254.0.10"], "authentication": {"anonymous": {"enabled": true}}}
            """
        let loaded = try KubeletConfigFile.parse(text, file: "kubelet.json")
        #expect(loaded.configuration.port == 10260)
        #expect(loaded.configuration.clusterDNS == ["10.254.0.10"])
        #expect(loaded.configuration.authentication?.anonymous?.enabled == true)
        #expect(loaded.warnings.isEmpty)
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var message: String
        var testDescription: String { name }
    }

    static let refusals: [Refusal] = [
        Refusal(
            name: "another kind", text: "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeProxyConfiguration\n",
            message: "--config k.yaml: field kind: \"KubeProxyConfiguration\" is not KubeletConfiguration"),
        Refusal(
            name: "another apiVersion", text: "apiVersion: kubelet.config.k8s.io/v1alpha1\nkind: KubeletConfiguration\n",
            message: "--config k.yaml: field apiVersion: \"kubelet.config.k8s.io/v1alpha1\" is not kubelet.config.k8s.io/v1beta1"),
        Refusal(
            name: "no kind", text: "port: 10250\n",
            message: "--config k.yaml: field kind: \"\" is not KubeletConfiguration"),
        Refusal(
            name: "a port that is no number",
            text: "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nport: ten\n",
            message: "--config k.yaml: field port: expected an integer"),
        Refusal(
            name: "a nested boolean that is none",
            text: "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n  anonymous:\n    enabled: sometimes\n",
            message: "--config k.yaml: field authentication.anonymous.enabled: expected true or false"),
        Refusal(
            name: "clusterDNS that is no list",
            text: "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nclusterDNS: {a: b}\n",
            message: "--config k.yaml: field clusterDNS: expected"),
        Refusal(
            name: "a list instead of an object", text: "- a\n- b\n",
            message: "--config k.yaml: expected a KubeletConfiguration object"),
    ]

    @Test("a wrong kind, apiVersion or type is an error naming the file and the field", arguments: refusals)
    func refused(_ refusal: Refusal) {
        #expect {
            _ = try KubeletConfigFile.parse(refusal.text, file: "k.yaml")
        } throws: { error in
            "\(error)".hasPrefix(refusal.message)
        }
    }

    @Test("a duration that is none is an error naming the field")
    func badDuration() throws {
        let loaded = try KubeletConfigFile.parse(
            "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nsyncFrequency: soon\n", file: "k.yaml")
        #expect(throws: KubeletConfigError(file: "k.yaml", field: "syncFrequency", detail: "\"soon\" is not a duration such as 1m0s")) {
            _ = try loaded.configuration.flags(file: "k.yaml")
        }
    }
}
