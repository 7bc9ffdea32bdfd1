/// The kind of change a watch event reports.
enum WatchEventType: String, Sendable {
    case added = "ADDED"
    case modified = "MODIFIED"
    case deleted = "DELETED"
}

/// One write, as the watch history keeps it: the object after the write (for a deletion, its
/// last state stamped with the deletion's revision) and, for modifications, the state before —
/// needed to tell a watcher with a selector that an object left or entered its view.
struct StoredEvent: Sendable {
    var type: WatchEventType
    var resource: Resource
    var object: JSONValue
    var previous: JSONValue?
    var revision: Int64
}
