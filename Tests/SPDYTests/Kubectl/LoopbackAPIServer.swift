import Glibc
import SPDY
import TestSockets

/// Just enough of kube-apiserver on 127.0.0.1 for `kubectl exec`: discovery, one pod, and the
/// exec request upgraded to SPDY/3.1, whose streams a `SPDYServerSession` serves. One thread,
/// poll(2), every connection non-blocking for reads.
final class LoopbackAPIServer {
    struct Request {
        let method: String
        let target: String
        let headers: [(String, String)]

        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    private enum Mode {
        case http
        case spdy(SPDYServerSession, any UpgradedSession)
    }

    private final class Connection {
        let fd: Int32
        var input: [UInt8] = []
        var mode: Mode = .http
        var closed = false
        init(fd: Int32) { self.fd = fd }
    }

    let port: UInt16
    private let listener: Int32
    private let podName: String
    private var connections: [Connection] = []
    /// Every request line seen, for failure messages.
    private(set) var requestLog: [String] = []
    /// The upgraded sessions' handlers, for the test's checks.
    private(set) var sessions: [any UpgradedSession] = []
    var execs: [ExecEcho] { sessions.compactMap { $0 as? ExecEcho } }
    var portForwards: [PortForwardEcho] { sessions.compactMap { $0 as? PortForwardEcho } }
    /// The first SPDY error a session threw.
    private(set) var spdyError: SPDYError?

    private let flowControl: SPDYOutboundFlowControl

    init(podName: String, flowControl: SPDYOutboundFlowControl = .whenPeerUsesIt) throws {
        self.podName = podName
        self.flowControl = flowControl
        let (listener, bound) = try Loopback.listen()
        self.listener = listener
        port = UInt16(bound)
    }

    deinit {
        for connection in connections { close(connection.fd) }
        close(listener)
    }

    /// Serves until `done()` says so or `timeoutMilliseconds` pass.
    /// - Returns: whether `done()` ended it.
    func serve(timeoutMilliseconds: Int, until done: () -> Bool) throws -> Bool {
        let deadline = monotonicMilliseconds() + timeoutMilliseconds
        while !done() {
            guard monotonicMilliseconds() < deadline else { return false }
            var fds = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            fds += connections.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), 50)
            guard ready > 0 else { continue }
            if fds[0].revents != 0 {
                let fd = accept(listener, nil, nil)
                if fd >= 0 { connections.append(Connection(fd: fd)) }
            }
            for (index, pfd) in fds.dropFirst().enumerated() where pfd.revents != 0 {
                try service(connections[index])
            }
            connections.removeAll { $0.closed }
        }
        return true
    }

    private func service(_ connection: Connection) throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let n = chunk.withUnsafeMutableBytes { recv(connection.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if n <= 0 {
            if n < 0 && (errno == EAGAIN || errno == EINTR) { return }
            close(connection.fd)
            connection.closed = true
            return
        }
        connection.input += chunk[0..<n]
        switch connection.mode {
        case .http:
            try handleHTTP(connection)
        case .spdy(let session, let exec):
            let bytes = connection.input
            connection.input = []
            try feed(session, exec, bytes, connection)
        }
    }

    private func feed(_ session: SPDYServerSession, _ exec: any UpgradedSession, _ bytes: [UInt8], _ connection: Connection) throws {
        do {
            let events = try session.receive(bytes)
            try exec.handle(events, session)
        } catch {
            spdyError = spdyError ?? error
        }
        try writeAll(connection.fd, session.takeOutput())
    }

    private func handleHTTP(_ connection: Connection) throws {
        while let end = headerEnd(connection.input) {
            let head = String(decoding: connection.input[..<end], as: UTF8.self)
            connection.input.removeFirst(end + 4)
            let lines = head.split(separator: "\r\n").map(String.init)
            let parts = lines[0].split(separator: " ").map(String.init)
            let headers = lines.dropFirst().compactMap { line -> (String, String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingSpaces())
            }
            let request = Request(method: parts[0], target: parts[1], headers: headers)
            requestLog.append("\(request.method) \(request.target)")
            if let length = request.header("Content-Length").flatMap(Int.init), length > 0 {
                connection.input.removeFirst(min(length, connection.input.count))  // exec POSTs carry none
            }
            if request.header("Upgrade")?.lowercased() == "spdy/3.1" {
                let exec: any UpgradedSession =
                    request.target.contains("/portforward") ? PortForwardEcho() : ExecEcho(target: request.target)
                try writeAll(
                    connection.fd,
                    Array(
                        ("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
                            + "X-Stream-Protocol-Version: \(exec.streamProtocol)\r\n\r\n").utf8))
                let session = SPDYServerSession(outboundFlowControl: flowControl)
                sessions.append(exec)
                connection.mode = .spdy(session, exec)
                let rest = connection.input
                connection.input = []
                if !rest.isEmpty { try feed(session, exec, rest, connection) }
                return
            }
            let (status, body) = respond(request)
            try writeAll(
                connection.fd,
                Array(
                    ("HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
                        + body).utf8))
        }
    }

    private func respond(_ request: Request) -> (String, String) {
        let path = String(request.target.split(separator: "?", maxSplits: 1).first ?? "")
        switch path {
        case "/api":
            return ("200 OK", #"{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1"}]}"#)
        case "/apis":
            return ("200 OK", #"{"kind":"APIGroupList","apiVersion":"v1","groups":[]}"#)
        case "/api/v1":
            return (
                "200 OK",
                #"{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"pods","singularName":"","namespaced":true,"kind":"Pod","verbs":["get","list"],"shortNames":["po"]},{"name":"pods/exec","singularName":"","namespaced":true,"kind":"PodExecOptions","verbs":["create","get"]}]}"#
            )
        case "/api/v1/namespaces/default/pods/\(podName)":
            return (
                "200 OK",
                #"{"kind":"Pod","apiVersion":"v1","metadata":{"name":""# + podName
                    + #"","namespace":"default","uid":"u1"},"spec":{"containers":[{"name":"main","image":"busybox"}]},"status":{"phase":"Running"}}"#
            )
        default:
            return ("404 Not Found", #"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}"#)
        }
    }

    private func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}

func monotonicMilliseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return now.tv_sec * 1000 + now.tv_nsec / 1_000_000
}

/// Writes all of `bytes` to a socket, waiting while it is full.
func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n < 0 {
            if errno == EAGAIN || errno == EINTR { continue }
            throw HarnessError("send: \(String(cString: strerror(errno)))")
        }
        offset += n
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

/// What serves an upgraded connection's streams.
protocol UpgradedSession: AnyObject {
    /// The X-Stream-Protocol-Version the 101 answer names.
    var streamProtocol: String { get }
    func handle(_ events: [SPDYSessionEvent], _ session: SPDYServerSession) throws(SPDYError)
}

/// A `cat` behind `kubectl exec -i`: replies to every stream kubectl opens, copies stdin to
/// stdout, and when stdin ends finishes stdout, stderr and the error stream (an empty error stream
/// is success in protocol v4).
final class ExecEcho: UpgradedSession {
    let target: String
    let streamProtocol = "v4.channel.k8s.io"
    private(set) var streamTypes: [UInt32: String] = [:]
    private(set) var stdinBytes = 0
    private(set) var finished = false
    private(set) var peerWentAway = false

    init(target: String) { self.target = target }

    private func stream(_ type: String) -> UInt32? { streamTypes.first { $0.value == type }?.key }

    func handle(_ events: [SPDYSessionEvent], _ session: SPDYServerSession) throws(SPDYError) {
        for event in events {
            switch event {
            case .streamOpened(let id, let headers):
                streamTypes[id] = headers["streamtype"] ?? "?"
                try session.reply(streamID: id, headers: [:], fin: false)
            case .data(let id, let payload) where id == stream("stdin"):
                stdinBytes += payload.count
                if let stdout = stream("stdout") { try session.send(streamID: stdout, data: payload, fin: false) }
            case .remoteFinished(let id) where id == stream("stdin") && !finished:
                finished = true
                for type in ["stdout", "stderr", "error"] {
                    if let id = stream(type) { try session.send(streamID: id, data: [], fin: true) }
                }
            case .goAway:
                peerWentAway = true
            default:
                break
            }
        }
    }
}

/// An echo server behind `kubectl port-forward`: each forwarded connection is an error stream and
/// a data stream sharing a requestid; data comes back as it came, and when kubectl finishes the
/// data stream (its local connection closed) both streams are finished.
final class PortForwardEcho: UpgradedSession {
    let streamProtocol = "portforward.k8s.io"
    /// Stream ID to (streamtype, requestid, port).
    private(set) var streams: [UInt32: (type: String, request: String, port: String)] = [:]
    private(set) var resets: [UInt32] = []
    /// The session's open streams after the last events.
    private(set) var openStreamIDs: [UInt32] = []

    private func errorStream(for request: String) -> UInt32? {
        streams.first { $0.value.type == "error" && $0.value.request == request }?.key
    }

    var dataStreamCount: Int { streams.values.filter { $0.type == "data" }.count }

    func handle(_ events: [SPDYSessionEvent], _ session: SPDYServerSession) throws(SPDYError) {
        for event in events {
            switch event {
            case .streamOpened(let id, let headers):
                streams[id] = (headers["streamtype"] ?? "?", headers["requestid"] ?? "?", headers["port"] ?? "?")
                try session.reply(streamID: id, headers: [:], fin: false)
            case .data(let id, let payload) where streams[id]?.type == "data":
                try session.send(streamID: id, data: payload, fin: false)
            case .remoteFinished(let id) where streams[id]?.type == "data":
                try session.send(streamID: id, data: [], fin: true)
                if let error = errorStream(for: streams[id]!.request) {
                    try session.send(streamID: error, data: [], fin: true)
                }
            case .reset(let id, _):
                resets.append(id)
            default:
                break
            }
        }
        openStreamIDs = session.openStreamIDs
    }
}
