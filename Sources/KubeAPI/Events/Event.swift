/// v1 `Event` (core group), as kubelet posts them about pods.
public struct Event: Sendable, Hashable, Codable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var involvedObject: ObjectReference
    public var reason: String?
    public var message: String?
    public var source: EventSource?
    public var firstTimestamp: String?
    public var lastTimestamp: String?
    public var count: Int32?
    public var type: String?
    public var reportingComponent: String?
    public var reportingInstance: String?

    public init(
        apiVersion: String? = "v1", kind: String? = "Event", metadata: ObjectMeta = ObjectMeta(), involvedObject: ObjectReference,
        reason: String? = nil, message: String? = nil, source: EventSource? = nil, firstTimestamp: String? = nil,
        lastTimestamp: String? = nil, count: Int32? = nil, type: String? = nil, reportingComponent: String? = nil,
        reportingInstance: String? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.involvedObject = involvedObject
        self.reason = reason
        self.message = message
        self.source = source
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.count = count
        self.type = type
        self.reportingComponent = reportingComponent
        self.reportingInstance = reportingInstance
    }
}

public struct EventSource: Sendable, Hashable, Codable {
    public var component: String?
    public var host: String?
    public init(component: String? = nil, host: String? = nil) {
        self.component = component
        self.host = host
    }
}
