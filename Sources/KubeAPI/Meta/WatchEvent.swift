/// One line of a watch stream: `{"type":"ADDED","object":{...}}`.
///
/// `type` is `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK` or `ERROR`. For `ERROR` the object is a
/// `Status`, not the watched kind: decode the line as `WatchEvent<Status>` when `type` is `ERROR`
/// (decoding it as `WatchEvent<Pod>` would succeed with an empty pod, since pods tolerate missing
/// fields).
public struct WatchEvent<Object: Codable & Sendable & Hashable>: Sendable, Hashable, Codable {
    public var type: String
    public var object: Object

    public init(type: String, object: Object) {
        self.type = type
        self.object = object
    }
}
