import CurlHTTP
import Foundation
import Synchronization

/// pods/log, pods/exec, pods/attach, pods/portforward and nodes/proxy: relayed to the node's
/// kubelet over HTTPS with the double's client certificate, as kube-apiserver does
/// (REFERENCE 8). Logs and node paths are streamed through; upgraded connections (SPDY,
/// WebSocket) are passed through byte for byte.
extension APIHandler {
    /// Where a proxied request goes on its node.
    struct NodeRequest {
        var endpoint: HTTPEndpoint
        var path: String
        var streams: Bool
    }

    func serveProxy(_ target: ProxyTarget, request: HTTPRequestMessage, on connection: HTTPConnection) -> Bool {
        let method = request.method
        let requestTarget = request.target
        let record: @Sendable (Int) -> Void = { [log] status in
            let verb = method == "GET" ? "get" : method == "POST" ? "create" : method.lowercased()
            log.append(RequestRecord(
                method: method, path: requestTarget, verb: verb, resource: target.resourceLabel, status: status, time: Date()))
        }
        func refuse(_ problem: ProxyProblem) -> Bool {
            record(problem.code)
            let status = APIStatusError(code: problem.code, reason: problem.reason, message: problem.message).status
            return connection.respond(status: problem.code, body: status.serialized())
        }
        if faults.unavailable { return refuse(ProxyProblem(code: 503, reason: "ServiceUnavailable", message: "the server is currently unable to handle the request")) }
        let nodeRequest: NodeRequest
        do throws(ProxyProblem) {
            nodeRequest = try locate(target, request: request)
        } catch {
            return refuse(error)
        }
        let upgrade = request.headers["upgrade"] != nil && (request.headers["connection"] ?? "").lowercased().contains("upgrade")
        if upgrade {
            return relayUpgrade(request, to: nodeRequest, on: connection, record: record)
        }
        if case .pod(_, _, let sub) = target, sub != .log {
            return refuse(ProxyProblem(code: 400, reason: "BadRequest", message: "Upgrade request required"))
        }
        if nodeRequest.streams {
            return relayStream(request, to: nodeRequest, on: connection, record: record)
        }
        return relayWhole(request, to: nodeRequest, on: connection, record: record)
    }

    /// The node and path a target goes to, from the stored pod and node.
    private func locate(_ target: ProxyTarget, request: HTTPRequestMessage) throws(ProxyProblem) -> NodeRequest {
        let query = RawQuery.parse(request.target)
        let nodeName: String
        let path: String
        var streams = NodeLocation.isTrue(query.last { $0.0 == "follow" }?.1)
        switch target {
        case let .pod(namespace, name, subresource):
            let pod = store.read { $0.get(.pods, ObjectKey(namespace: namespace, name: name)) }
            guard let pod else { throw ProxyProblem(code: 404, reason: "NotFound", message: "pods \"\(name)\" not found") }
            guard let node = pod[path: ["spec", "nodeName"]]?.stringValue, !node.isEmpty else {
                throw ProxyProblem(code: 400, reason: "BadRequest", message: "pod \(name) does not have a host assigned")
            }
            let containers = (pod[path: ["spec", "containers"]]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            nodeName = node
            path = try NodeLocation.podPath(subresource, namespace: namespace, pod: name, containers: containers, query: query)
            if subresource == .log { streams = true }
        case let .node(name, nodePath):
            nodeName = name
            let suffix = request.target.firstIndex(of: "?").map { String(request.target[$0...]) } ?? ""
            path = nodePath + suffix
        }
        let node = store.read { $0.get(.nodes, ObjectKey(namespace: "", name: nodeName)) }
        guard let node else { throw ProxyProblem(code: 404, reason: "NotFound", message: "nodes \"\(nodeName)\" not found") }
        let addresses = (node[path: ["status", "addresses"]]?.arrayValue ?? []).compactMap { entry -> (type: String, address: String)? in
            guard let type = entry["type"]?.stringValue, let address = entry["address"]?.stringValue else { return nil }
            return (type, address)
        }
        let port = node[path: ["status", "daemonEndpoints", "kubeletEndpoint", "Port"]]?.intValue.map(Int.init)
        let settings = settings.withLock { $0.kubeletClient }
        let base = try NodeLocation.nodeBaseURL(
            addresses: addresses, port: port, preferredTypes: settings.preferredAddressTypes, node: nodeName)
        let endpoint = HTTPEndpoint(
            baseURL: base, caFile: settings.caFile, clientCertificateFile: settings.certificateFile, clientKeyFile: settings.keyFile,
            insecureSkipTLSVerify: settings.caFile == nil)
        return NodeRequest(endpoint: endpoint, path: path, streams: streams)
    }

    /// Headers passed on to the node: what describes the body and what the client accepts.
    private static func forwardedHeaders(_ request: HTTPRequestMessage) -> [HTTPHeader] {
        var headers: [HTTPHeader] = [HTTPHeader("User-Agent", "clc-master-double")]
        for name in ["accept", "content-type"] {
            if let value = request.headers[name] { headers.append(HTTPHeader(name, value)) }
        }
        return headers
    }

    /// A request answered whole (nodes/proxy).
    private func relayWhole(
        _ request: HTTPRequestMessage, to node: NodeRequest, on connection: HTTPConnection, record: (Int) -> Void
    ) -> Bool {
        let outgoing = HTTPRequest(
            method: request.method, path: node.path, headers: Self.forwardedHeaders(request),
            body: request.body.isEmpty ? nil : request.body, timeout: settings.withLock { $0.kubeletClient.timeout })
        let result = Mutex<Result<HTTPResponse, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let transport = kubeletTransport
        Task {
            do {
                let response = try await transport.send(outgoing, to: node.endpoint)
                result.withLock { $0 = .success(response) }
            } catch {
                result.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        done.wait()
        switch result.withLock({ $0 }) {
        case .success(let response):
            record(response.status)
            return connection.respond(
                status: response.status, contentType: response.headers["content-type"] ?? "text/plain; charset=utf-8",
                body: response.body)
        case .failure(let error):
            return dialFailed(error, node: node, on: connection, record: record)
        case nil:
            return false
        }
    }

    /// A streamed answer (logs, a follow through nodes/proxy): chunked to the client as the
    /// node sends it; ends when the node ends or the client goes.
    private func relayStream(
        _ request: HTTPRequestMessage, to node: NodeRequest, on connection: HTTPConnection, record: @escaping @Sendable (Int) -> Void
    ) -> Bool {
        let outgoing = HTTPRequest(
            method: request.method, path: node.path, headers: Self.forwardedHeaders(request),
            body: request.body.isEmpty ? nil : request.body, timeout: nil)
        let transport = CurlTransport(endpoint: node.endpoint, maxConcurrentRequests: 1)
        let done = DispatchSemaphore(value: 0)
        let keepOpen = Mutex(true)
        let task = Task {
            var headSent = false
            func sendHead() {
                headSent = true
                record(200)
                connection.send(HTTPResponseWriter.head(
                    status: 200, headers: [("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked")]))
            }
            do {
                for try await chunk in transport.stream(outgoing) where !chunk.isEmpty {
                    if !headSent { sendHead() }
                    if !connection.send(HTTPResponseWriter.chunk(chunk)) { break }
                }
                if !headSent { sendHead() }
                connection.send(HTTPResponseWriter.lastChunk)
            } catch {
                if !headSent {
                    let open = self.dialFailed(error, node: node, on: connection, record: record)
                    keepOpen.withLock { $0 = open }
                } else {
                    connection.abort()
                    keepOpen.withLock { $0 = false }
                }
            }
            done.signal()
        }
        // A client that goes away while the node is silent (a follow) ends the relay.
        while done.wait(timeout: .now() + .milliseconds(500)) == .timedOut {
            if connection.isPeerGone { task.cancel() }
        }
        return keepOpen.withLock { $0 } && !task.isCancelled
    }

    /// The node's own error status is passed on; no answer at all is kube-apiserver's 500
    /// (or, for an upgrade, 503) naming the node's address.
    func dialFailed(_ error: any Error, node: NodeRequest, on connection: HTTPConnection, record: (Int) -> Void) -> Bool {
        if case let HTTPError.status(_, code, body) = error {
            record(code)
            return connection.respond(status: code, contentType: "text/plain; charset=utf-8", body: Array(body.utf8))
        }
        let status = APIStatusError(code: 500, reason: "InternalError", message: "error dialing backend \(node.endpoint.baseURL): \(error)")
        record(500)
        return connection.respond(status: 500, body: status.status.serialized())
    }
}
