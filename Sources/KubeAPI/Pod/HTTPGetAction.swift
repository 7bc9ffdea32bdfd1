/// An HTTP GET against the container; a status in 200..<400 is success.
public struct HTTPGetAction: Sendable, Hashable, Codable {
    /// Defaulting makes it "/".
    public var path: String?
    /// A number, or the name of one of the container's ports.
    public var port: IntOrString
    /// Defaults to the pod IP when unset (at probe time, not by defaulting).
    public var host: String?
    /// "HTTP" or "HTTPS"; defaulting makes it "HTTP".
    public var scheme: String?
    public var httpHeaders: [HTTPHeader]?

    public init(
        path: String? = nil,
        port: IntOrString,
        host: String? = nil,
        scheme: String? = nil,
        httpHeaders: [HTTPHeader]? = nil
    ) {
        self.path = path
        self.port = port
        self.host = host
        self.scheme = scheme
        self.httpHeaders = httpHeaders
    }
}

/// One extra request header of an HTTP probe.
public struct HTTPHeader: Sendable, Hashable, Codable {
    public var name: String?
    public var value: String?

    public init(name: String? = nil, value: String? = nil) {
        self.name = name
        self.value = value
    }
}
