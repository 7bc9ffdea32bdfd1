/// One lifecycle hook; exactly one of its actions is set.
public struct LifecycleHandler: Sendable, Hashable, Codable {
    public var exec: ExecAction?
    public var httpGet: HTTPGetAction?
    public var tcpSocket: TCPSocketAction?

    public init(exec: ExecAction? = nil, httpGet: HTTPGetAction? = nil, tcpSocket: TCPSocketAction? = nil) {
        self.exec = exec
        self.httpGet = httpGet
        self.tcpSocket = tcpSocket
    }
}
