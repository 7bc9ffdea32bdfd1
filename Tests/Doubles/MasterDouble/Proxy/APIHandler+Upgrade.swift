import CurlHTTP
import Foundation
import Synchronization

extension APIHandler {
    /// Headers of the client's request that do not go to the node: the double's own credentials
    /// and framing are not the client's.
    private static let droppedUpgradeHeaders: Set<String> = ["host", "authorization", "content-length", "transfer-encoding"]

    /// An upgraded connection (SPDY/3.1, WebSocket), as kube-apiserver's upgrade-aware proxy
    /// passes it: the request head goes to the node (its path rewritten, the double's client
    /// certificate on the TLS connection), the node's answer (101 Switching Protocols, or an
    /// error) goes back to the client, then bytes are copied both ways until either side
    /// closes. The connection is never used for another request.
    func relayUpgrade(
        _ request: HTTPRequestMessage, to node: NodeRequest, on connection: HTTPConnection, record: @escaping @Sendable (Int) -> Void
    ) -> Bool {
        var headers: [HTTPHeader] = []
        for (name, value) in request.headerFields where !Self.droppedUpgradeHeaders.contains(name.lowercased()) {
            headers.append(HTTPHeader(name, value))
        }
        let outgoing = HTTPRequest(
            method: request.method, path: node.path, headers: headers, body: request.body.isEmpty ? nil : request.body,
            timeout: .seconds(30))
        let opened = Self.blocking { () async throws -> (RawConnection, HTTPResponseHead) in
            let raw = try await RawConnection.connect(to: node.endpoint)
            do {
                return (raw, try await raw.upgrade(outgoing))
            } catch {
                raw.close()
                throw error
            }
        }
        let raw: RawConnection
        let head: HTTPResponseHead
        switch opened {
        case .success(let pair): (raw, head) = pair
        case .failure(let error):
            record(503)
            let status = APIStatusError(
                code: 503, reason: "ServiceUnavailable", message: "error dialing backend \(node.endpoint.baseURL): \(error)")
            connection.respond(status: 503, body: status.status.serialized(), close: true)
            return false
        }
        defer { raw.close() }
        record(head.status)
        var text = "HTTP/1.1 \(head.status) \(head.reason)\r\n"
        for header in head.headers { text += "\(header.name): \(header.value)\r\n" }
        text += "\r\n"
        guard connection.send(Array(text.utf8) + head.leftover) else { return false }

        // Node to client on a task; client to node on this (the connection's) thread.
        let finished = DispatchSemaphore(value: 0)
        let downstream = Task {
            while let bytes = try? await raw.receive() {
                if !connection.send(bytes) { break }
            }
            // The node is done: end the client's side too, which ends the read below.
            connection.abort()
            finished.signal()
        }
        var buffer: [UInt8] = []
        while true {
            buffer.removeAll(keepingCapacity: true)
            if connection.receive(into: &buffer) == 0 { break }
            let chunk = buffer
            if case .failure = Self.blocking({ try await raw.send(chunk) }) { break }
        }
        raw.close()
        downstream.cancel()
        finished.wait()
        return false
    }

    /// Runs async work from a connection thread (never a thread of the Swift concurrency pool).
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) -> Result<T, any Error> {
        let result = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                let value = try await work()
                result.withLock { $0 = .success(value) }
            } catch {
                result.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        done.wait()
        return result.withLock { $0 }!
    }
}
