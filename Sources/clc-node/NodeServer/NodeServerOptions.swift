import ArgumentParser

/// The flags of the node API server, kubelet's names. Secure by default where kubelet is not:
/// anonymous requests are refused, and with a master the authorization mode is Webhook.
struct NodeServerOptions: ParsableArguments {
    @Option(help: "The node API's address (kubelet's --address).")
    var address = "0.0.0.0"

    @Option(help: "The node API's HTTPS port (kubelet's 10250); 0 takes any free port.")
    var port = 10250

    @Option(name: .customLong("healthz-bind-address"), help: "Where plain HTTP /healthz listens.")
    var healthzBindAddress = "127.0.0.1"

    @Option(name: .customLong("healthz-port"), help: "The plain HTTP /healthz port; 0 turns it off.")
    var healthzPort = 10248

    @Option(name: .customLong("tls-cert-file"), help: "The node API's certificate (with its chain), PEM; else one is generated into --cert-dir.")
    var tlsCertFile: String?

    @Option(name: .customLong("tls-private-key-file"), help: "The key of --tls-cert-file, PEM.")
    var tlsPrivateKeyFile: String?

    @Option(name: .customLong("cert-dir"), help: "Where kubelet.crt and kubelet.key are generated when no --tls-cert-file is given (default: <state-dir>/pki).")
    var certDir: String?

    @Option(name: .customLong("client-ca-file"), help: "CA bundle that signs client certificates: user = CN, groups = O.")
    var clientCAFile: String?

    @Option(name: .customLong("authentication-token-webhook"), help: "Check bearer tokens with the master's TokenReview: true or false.")
    var authenticationTokenWebhook = false

    @Option(name: .customLong("anonymous-auth"), help: "Serve requests without credentials as system:anonymous: true or false (kubelet's default is true; ours false).")
    var anonymousAuth = false

    @Option(
        name: .customLong("authorization-mode"),
        help: "AlwaysAllow or Webhook (SubjectAccessReview on the master); default Webhook with a master, else AlwaysAllow.")
    var authorizationMode: String?


    /// The mode in force.
    func mode(hasMaster: Bool) -> String { authorizationMode ?? (hasMaster ? "Webhook" : "AlwaysAllow") }

    func validate(hasMaster: Bool) throws {
        guard (0...65535).contains(port), (0...65535).contains(healthzPort) else {
            throw ValidationError("--port and --healthz-port must be from 0 to 65535")
        }
        guard (tlsCertFile == nil) == (tlsPrivateKeyFile == nil) else {
            throw ValidationError("--tls-cert-file and --tls-private-key-file go together")
        }
        switch mode(hasMaster: hasMaster) {
        case "AlwaysAllow": break
        case "Webhook":
            guard hasMaster else { throw ValidationError("--authorization-mode Webhook needs --master or --kubeconfig") }
        case let other: throw ValidationError("--authorization-mode: \"\(other)\" is not one of AlwaysAllow, Webhook")
        }
        if authenticationTokenWebhook, !hasMaster {
            throw ValidationError("--authentication-token-webhook needs --master or --kubeconfig")
        }
    }
}
