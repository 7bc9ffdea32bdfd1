/// The upgrade a client asked for: kube-apiserver speaks SPDY/3.1 to kubelets; clients that reach
/// the node directly, and masters that relay WebSocket, speak the `*.channel.k8s.io` WebSocket
/// subprotocols.
public enum StreamingTransport: String, Sendable {
    case spdy
    case webSocket
}
