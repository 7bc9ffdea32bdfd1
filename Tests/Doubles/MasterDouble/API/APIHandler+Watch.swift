import AgentTime
import Foundation

extension APIHandler {
    /// Streams a watch: one JSON event per line in HTTP chunks, flushed as they happen.
    ///
    /// Follows the watch cache: from resourceVersion N it replays the history after N; "" or
    /// "0" starts with synthetic ADDED events for the current state; N older than the history
    /// gives a single ERROR event (410 Expired) and the stream ends; objects leaving the
    /// selection arrive as DELETED, objects entering it as ADDED; bookmarks when allowed.
    ///
    /// - Returns: Whether the connection may serve another request.
    func serveWatch(_ route: APIRoute, request: HTTPRequestMessage, on connection: HTTPConnection) -> Bool {
        let selection: Selection
        let start: Int64?
        do {
            selection = try Self.selection(route, query: request.query)
            let text = request.query["resourceVersion"] ?? ""
            if text.isEmpty || text == "0" {
                start = nil
            } else if let value = Int64(text), value > 0 {
                start = value
            } else {
                throw APIStatusError.badRequest("invalid resource version: \(text)")
            }
        } catch {
            let failure = error as? APIStatusError ?? .internalError("\(error)")
            return connection.respond(status: failure.code, body: failure.status.serialized())
        }
        let bookmarks = request.query["allowWatchBookmarks"] == "true"
        let end = request.query["timeoutSeconds"].flatMap(Int.init).map { Date().addingTimeInterval(Double($0)) }
        let interval = settings.withLock { $0.bookmarkInterval }
        let intervalSeconds = interval.seconds

        connection.isWatching = true
        defer { connection.isWatching = false }
        let head = HTTPResponseWriter.head(
            status: 200,
            headers: [("Content-Type", "application/json"), ("Cache-Control", "no-cache, private"),
                      ("Transfer-Encoding", "chunked")])
        guard connection.send(head) else { return false }

        func send(_ type: String, _ object: JSONValue) -> Bool {
            let line = JSONValue.object(["type": .string(type), "object": object]).serialized() + [UInt8(ascii: "\n")]
            return connection.send(HTTPResponseWriter.chunk(line))
        }
        func fail(_ error: APIStatusError) -> Bool {
            guard send("ERROR", error.status) else { return false }
            return connection.send(HTTPResponseWriter.lastChunk)
        }
        func cut() -> Bool { connection.isAborted || stopping.load(ordering: .relaxed) || connection.isPeerGone }

        var hung = faults.hangingWatches
        var cursor: Int64
        if let start {
            if let floor = store.read({ $0.events(after: start) == nil ? $0.floor : nil }) {
                return fail(.expired(start, floor))
            }
            cursor = start
        } else {
            let (items, revision) = store.read { ($0.list(route.resource).filter(selection.matches), $0.revision) }
            if !hung {
                for item in items where !send("ADDED", item) { return false }
            }
            cursor = revision
        }

        var nextBookmark = Date().addingTimeInterval(intervalSeconds)
        while true {
            if cut() { return false }
            hung = hung || faults.hangingWatches
            let now = Date()
            if let end, now >= end, !hung { return connection.send(HTTPResponseWriter.lastChunk) }
            var deadline = min(nextBookmark, now.addingTimeInterval(1))
            if let end { deadline = min(deadline, end) }
            if hung {
                // A dead path: headers were sent, nothing else ever will be.
                let revision = store.wait(until: deadline, while: { _ in !cut() }, then: { $0.revision })
                faults.noteSilentPass(at: revision)
                continue
            }
            let (events, floor, revision) = store.wait(
                until: deadline,
                while: { $0.revision <= cursor && !connection.isAborted && !self.stopping.load(ordering: .relaxed) },
                then: { state in (state.events(after: cursor).map(Array.init), state.floor, state.revision) })
            if cut() { return false }
            if faults.hangingWatches { continue }
            guard let events else { return fail(.expired(cursor, floor)) }
            for event in events {
                guard let (type, object) = Self.watchEvent(event, for: selection) else { continue }
                if !send(type, object) { return false }
            }
            cursor = max(cursor, revision)
            if Date() >= nextBookmark {
                if bookmarks, !send("BOOKMARK", Self.bookmark(route.resource, revision: cursor)) { return false }
                nextBookmark = Date().addingTimeInterval(intervalSeconds)
            }
        }
    }

    /// The event a watcher with this selection sees for a stored event, if any.
    static func watchEvent(_ event: StoredEvent, for selection: Selection) -> (String, JSONValue)? {
        guard event.resource == selection.resource else { return nil }
        let matchesNow = selection.matches(event.object)
        switch event.type {
        case .added, .deleted:
            return matchesNow ? (event.type.rawValue, event.object) : nil
        case .modified:
            let matchedBefore = event.previous.map(selection.matches) ?? false
            switch (matchedBefore, matchesNow) {
            case (true, true): return ("MODIFIED", event.object)
            case (false, true): return ("ADDED", event.object)
            case (true, false):
                var gone = event.previous!
                gone[path: ["metadata", "resourceVersion"]] = .string(String(event.revision))
                return ("DELETED", gone)
            case (false, false): return nil
            }
        }
    }

    /// A bookmark's object as Go serializes an empty object with only the resourceVersion set
    /// (zero-valued structs included: `"creationTimestamp":null`, a pod's
    /// `"spec":{"containers":null},"status":{}`).
    static func bookmark(_ resource: Resource, revision: Int64) -> JSONValue {
        var object: JSONValue = [
            "kind": .string(resource.kind), "apiVersion": .string(resource.apiVersion),
            "metadata": ["resourceVersion": .string(String(revision)), "creationTimestamp": .null],
        ]
        if resource == .pods {
            object["spec"] = ["containers": .null]
            object["status"] = .object([:])
        }
        return object
    }
}
