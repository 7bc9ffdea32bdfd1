/// Where and how the node server listens, with kubelet's flag names and defaults, except
/// anonymous requests, which are refused by default (kubelet's legacy flag default allows them).
public struct NodeServerConfiguration: Sendable {
    /// This node's name: the object of every authorization check (`nodes/<name>`).
    public var nodeName: String
    /// `--address`: the node port's address. Default `0.0.0.0`.
    public var address: String
    /// `--port`: the HTTPS node port. Default 10250; 0 takes any free port.
    public var port: Int
    /// `--healthz-bind-address`. Default `127.0.0.1`.
    public var healthzBindAddress: String
    /// `--healthz-port`: plain HTTP `/healthz`; nil serves none (kubelet's `--healthz-port 0`);
    /// 0 takes any free port (tests). Default 10248.
    public var healthzPort: Int?
    /// `--tls-cert-file` and `--tls-private-key-file`; nil: generated into ``certificateDirectory``.
    public var tlsCertificateFile: String?
    public var tlsPrivateKeyFile: String?
    /// `--cert-dir`: where `kubelet.crt` and `kubelet.key` are generated. Default
    /// `/var/lib/clc-node/pki` (under the agent's `--state-dir`).
    public var certificateDirectory: String
    /// DNS names and IP addresses a generated certificate is made for.
    public var certificateHostnames: [String]
    public var certificateAddresses: [String]
    /// `--client-ca-file`: CAs that sign client certificates; nil: client certificates are not
    /// asked for.
    public var clientCAFile: String?
    /// `--anonymous-auth`. Default false: a request without credentials gets 401.
    public var anonymousAuth: Bool
    /// The largest request head (request line and headers). Default 1 MiB.
    public var maximumRequestHeadBytes: Int
    /// How long in-flight requests (log follows, exec sessions) may go on after a graceful
    /// shutdown began before they are cut. Default 2 s.
    public var shutdownGracePeriod: Duration
    /// How long to wait before trying again when a listener cannot bind its address, logging
    /// each failure; nil makes ``NodeServerService/run()`` throw instead. Default 5 s.
    public var listenRetryInterval: Duration?

    public init(
        nodeName: String, address: String = "0.0.0.0", port: Int = 10250, healthzBindAddress: String = "127.0.0.1",
        healthzPort: Int? = 10248, tlsCertificateFile: String? = nil, tlsPrivateKeyFile: String? = nil,
        certificateDirectory: String = "/var/lib/clc-node/pki", certificateHostnames: [String] = [], certificateAddresses: [String] = [],
        clientCAFile: String? = nil, anonymousAuth: Bool = false, maximumRequestHeadBytes: Int = 1 << 20,
        shutdownGracePeriod: Duration = .seconds(2), listenRetryInterval: Duration? = .seconds(5)
    ) {
        self.nodeName = nodeName
        self.address = address
        self.port = port
        self.healthzBindAddress = healthzBindAddress
        self.healthzPort = healthzPort
        self.tlsCertificateFile = tlsCertificateFile
        self.tlsPrivateKeyFile = tlsPrivateKeyFile
        self.certificateDirectory = certificateDirectory
        self.certificateHostnames = certificateHostnames
        self.certificateAddresses = certificateAddresses
        self.clientCAFile = clientCAFile
        self.anonymousAuth = anonymousAuth
        self.maximumRequestHeadBytes = maximumRequestHeadBytes
        self.shutdownGracePeriod = shutdownGracePeriod
        self.listenRetryInterval = listenRetryInterval
    }
}
