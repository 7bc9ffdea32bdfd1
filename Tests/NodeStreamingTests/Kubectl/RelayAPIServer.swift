import Dispatch
import Foundation
import NodeStreaming
import StreamingProtocol
import TestSockets

/// Just enough of kube-apiserver on 127.0.0.1 for kubectl 1.20's exec and port-forward: discovery,
/// one pod (`default/web`, container `app`), and the pods/exec and pods/portforward upgrades,
/// which it maps to kubelet's `/exec/...` and `/portForward/...` requests, asks the responder
/// about, and relays byte for byte to the accepted session over SPDY (as kube-apiserver relays to
/// a kubelet). A thread per connection with blocking sockets: test code only.
final class RelayAPIServer: @unchecked Sendable {
    // @unchecked: `listener` and `port` are set once in init; `closed` only flips to true.
    let port: UInt16
    private let listener: Int32
    private let responder: RemoteCommandResponder
    private let podJSON: String
    private let stopped = NSLock()
    private var closed = false

    init(responder: RemoteCommandResponder, podIP: String = "10.0.0.2") throws {
        self.responder = responder
        podJSON = #"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"web","namespace":"default","uid":"uid-1"},"spec":{"containers":[{"name":"app","image":"busybox"}]},"status":{"phase":"Running","podIP":""# + podIP + #""}}"#
        let (fd, bound) = try Loopback.listen()
        listener = fd
        port = UInt16(bound)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    func close() {
        stopped.lock()
        closed = true
        stopped.unlock()
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let thread = Thread { [self] in serve(client) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        var input: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            while let end = HeadParser.end(of: input) {
                let head = String(decoding: input[..<end], as: UTF8.self)
                input.removeFirst(end + 4)
                let lines = head.components(separatedBy: "\r\n")
                let parts = lines[0].split(separator: " ").map(String.init)
                var headers: [String: [String]] = [:]
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased(), default: []].append(
                        line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                }
                if let length = headers["content-length"]?.first.flatMap(Int.init), length > 0 {
                    input.removeFirst(min(length, input.count))
                }
                if headers["upgrade"]?.first?.lowercased() == "spdy/3.1" {
                    upgrade(fd, method: parts[0], target: parts[1], headers: headers, leftover: input)
                    return
                }
                let (status, body) = respond(target: parts[1])
                writeAll(fd, Array("HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8))
            }
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 {
                Glibc.close(fd)
                return
            }
            input += chunk[0..<n]
        }
    }

    private func respond(target: String) -> (String, String) {
        let path = String(target.split(separator: "?", maxSplits: 1).first ?? "")
        switch path {
        case "/api":
            return ("200 OK", #"{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1"}]}"#)
        case "/apis":
            return ("200 OK", #"{"kind":"APIGroupList","apiVersion":"v1","groups":[]}"#)
        case "/api/v1":
            return (
                "200 OK",
                #"{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"pods","singularName":"","namespaced":true,"kind":"Pod","verbs":["get","list"],"shortNames":["po"]},{"name":"pods/exec","singularName":"","namespaced":true,"kind":"PodExecOptions","verbs":["create","get"]},{"name":"pods/portforward","singularName":"","namespaced":true,"kind":"PodPortForwardOptions","verbs":["create","get"]}]}"#
            )
        case "/api/v1/namespaces/default/pods/web":
            return ("200 OK", podJSON)
        default:
            return ("404 Not Found", #"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}"#)
        }
    }

    /// pods/exec and pods/portforward as kube-apiserver turns them into kubelet requests
    /// (pkg/registry/core/pod/strategy.go): the container moves into the path, `ports` becomes
    /// `port`.
    private func upgrade(_ fd: Int32, method: String, target: String, headers: [String: [String]], leftover: [UInt8]) {
        let pieces = target.split(separator: "?", maxSplits: 1).map(String.init)
        var query: [String: [String]] = [:]
        for item in (pieces.count > 1 ? pieces[1] : "").split(separator: "&") {
            // Form encoding: "+" is a space (Go's url.ParseQuery).
            let pair = item.split(separator: "=", maxSplits: 1).map {
                let text = String($0).replacingOccurrences(of: "+", with: " ")
                return text.removingPercentEncoding ?? text
            }
            query[pair[0], default: []].append(pair.count > 1 ? pair[1] : "")
        }
        let path: String
        if pieces[0].hasSuffix("/exec") {
            path = "/exec/default/web/\(query.removeValue(forKey: "container")?.first ?? "app")"
        } else {
            path = "/portForward/default/web"
            if let ports = query.removeValue(forKey: "ports") { query["port"] = ports }
        }
        let request = StreamingRequest(method: method, path: path, query: query, headers: headers, user: "kubectl")
        let decision = blocking { [responder] in await responder.prepare(request, transport: .spdy) }
        guard case let .accept(responseHeaders, session) = decision else {
            if case let .reject(status, message) = decision {
                writeAll(fd, Array("HTTP/1.1 \(status) Refused\r\nContent-Length: \(message.utf8.count)\r\n\r\n\(message)".utf8))
            }
            Glibc.close(fd)
            return
        }
        var head = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
        for header in responseHeaders { head += "\(header.name): \(header.value)\r\n" }
        writeAll(fd, Array((head + "\r\n").utf8))

        let (inbound, sink) = AsyncStream.makeStream(of: [UInt8].self)
        if !leftover.isEmpty { sink.yield(leftover) }
        let done = DispatchSemaphore(value: 0)
        Task {
            await session.runSPDY(inbound: inbound) { bytes in writeAll(fd, bytes) }
            shutdown(fd, Int32(SHUT_RDWR))
            done.signal()
        }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            sink.yield(Array(chunk[0..<n]))
        }
        sink.finish()
        done.wait()
        Glibc.close(fd)
    }
}

/// Runs async work from a plain thread and waits for it.
func blocking<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        box.value = await work()
        done.signal()
    }
    done.wait()
    return box.value!
}

/// Written before the semaphore is signalled, read after it is waited on.
final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

enum HeadParser {
    static func end(of bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}

func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n <= 0 {
            if n < 0, errno == EINTR { continue }
            return
        }
        offset += n
    }
}

struct RelayError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
