import AsyncAlgorithms
import Foundation
import HTTPTypes
import HummingbirdCore
import KubeAPI
import Logging
import NIOCore
import StreamingProtocol

/// Authenticates, authorizes and answers one request of the node API. Shared by every
/// connection of the node port; stateless apart from the refusal log and
/// the encoded pod lists.
final class NodeRequestHandler: Sendable {
    /// Whether a request may go on.
    enum Admission: Sendable, Equatable {
        case admitted(UserInfo)
        case refused(status: Int, message: String)
    }

    let nodeName: String
    let authenticator: RequestAuthenticator
    let authorizer: any Authorizer
    let endpoints: NodeEndpoints
    let refusals: RefusalLog
    let podLists = PodListBodies()
    let logger: Logger

    init(nodeName: String, authenticator: RequestAuthenticator, authorizer: any Authorizer, endpoints: NodeEndpoints, logger: Logger) {
        self.nodeName = nodeName
        self.authenticator = authenticator
        self.authorizer = authorizer
        self.endpoints = endpoints
        self.refusals = RefusalLog(logger: logger)
        self.logger = logger
    }

    // MARK: Authentication and authorization

    /// kubelet's filter: 401 `Unauthorized` when no credential authenticates, 403 naming the
    /// user and attributes when the authorizer refuses. Each refusal is logged once per client.
    func admit(method: String, path: String, authorization: String?, info: ConnectionInfo) async -> Admission {
        let credentials = RequestCredentials(peerCertificates: info.peerCertificates, authorization: authorization)
        let user: UserInfo
        switch await authenticator.authenticate(credentials) {
        case .authenticated(let authenticated):
            user = authenticated
        case .refused(let reason):
            refusals.record(client: info.clientHost, user: "", status: 401, path: path, reason: reason)
            return .refused(status: 401, message: "Unauthorized")
        }
        let attributes = AuthorizationAttributes.forRequest(method: method, path: path, nodeName: nodeName)
        switch await authorizer.authorize(user, attributes) {
        case .allow:
            return .admitted(user)
        case .deny(let reason):
            refusals.record(client: info.clientHost, user: user.name, status: 403, path: path, reason: reason)
            return .refused(
                status: 403,
                message:
                    "Forbidden (user=\(user.name), verb=\(attributes.verb), resource=\(attributes.resource), subresource(s)=[\(attributes.subresource)])"
            )
        }
    }

    // MARK: Plain requests

    /// Answers a request that was not upgraded.
    func respond(_ request: Request, _ writer: consuming ResponseWriter, info: ConnectionInfo) async throws {
        let method = request.method.rawValue
        let path = request.uri.path
        switch await admit(method: method, path: path, authorization: request.headers[.authorization], info: info) {
        case .refused(let status, let message):
            try await writer.write(response: Self.head(status, contentType: "text/plain; charset=utf-8", length: message.utf8.count), body: Self.body(message))
            return
        case .admitted:
            break
        }
        let route = NodeRoute(path: path)
        guard route == .notFound || route.methods.contains(method) else {
            try await Self.writeText(writer, 405, "405 method not allowed", sendsBody: true)
            return
        }
        let sendsBody = method != "HEAD"
        switch route {
        case .notFound:
            try await Self.writeText(writer, 404, "404 page not found", sendsBody: sendsBody)
        case .healthz:
            let (status, text) = await Self.healthz(endpoints.healthChecks)
            try await Self.writeText(writer, status, text, sendsBody: sendsBody)
        case .pods, .runningPods:
            guard let provider = endpoints.pods else {
                try await Self.writeText(writer, 404, "\(path) is not served by this node", sendsBody: sendsBody)
                return
            }
            let json = await podLists.body(route == .pods ? .all : .running, from: provider)
            try await Self.write(writer, 200, contentType: "application/json", json, sendsBody: sendsBody)
        case .statsSummary:
            try await render(endpoints.statsSummary, path: path, writer, sendsBody: sendsBody)
        case .metrics(let which):
            let renderer: NodeEndpointRenderer? =
                switch which {
                case .kubelet: endpoints.metrics
                case .cadvisor: endpoints.metricsCadvisor
                case .resource: endpoints.metricsResource
                case .probes: endpoints.metricsProbes
                }
            try await render(renderer, path: path, writer, sendsBody: sendsBody)
        case .containerLogs(let namespace, let pod, let container):
            guard let provider = endpoints.containerLogs else {
                try await Self.writeText(writer, 404, "\(path) is not served by this node", sendsBody: sendsBody)
                return
            }
            let query = QueryParameters.parse(request.uri.query)
            switch await provider.logs(namespace: namespace, pod: pod, container: container, query: query) {
            case .failure(let status, let message):
                try await Self.writeText(writer, status, message, sendsBody: sendsBody)
            case .stream(let stream):
                try await streamLog(stream, writer, info: info)
            }
        case .streaming(let kind):
            try await Self.writeText(
                writer, 400,
                "Upgrade request required: /\(kind.rawValue) is served only over an upgraded connection (Connection: Upgrade, Upgrade: SPDY/3.1 or websocket)",
                sendsBody: sendsBody)
        }
    }

    private func render(_ renderer: NodeEndpointRenderer?, path: String, _ writer: consuming ResponseWriter, sendsBody: Bool) async throws {
        guard let renderer else {
            try await Self.writeText(writer, 404, "\(path) is not served by this node", sendsBody: sendsBody)
            return
        }
        let (contentType, body) = await renderer()
        try await Self.write(writer, 200, contentType: contentType, body, sendsBody: sendsBody)
    }

    /// Sends a log chunked as it comes, with backpressure, until the stream ends or the client
    /// goes; then stops iterating the provider's stream, which cancels its producer.
    private func streamLog(
        _ stream: AsyncThrowingStream<[UInt8], any Error>, _ writer: consuming ResponseWriter, info: ConnectionInfo
    ) async throws {
        var fields = HTTPFields()
        fields[.contentType] = "text/plain"
        var body = try await writer.writeHead(HTTPResponse(status: .ok, headerFields: fields))
        let relay = AsyncThrowingChannel<[UInt8], any Error>()
        var failure: (any Error)?
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await chunk in stream { await relay.send(chunk) }
                    relay.finish()
                } catch {
                    relay.fail(error)
                }
            }
            group.addTask {
                await info.waitUntilClientGone()
                relay.finish()
            }
            do {
                for try await chunk in relay { try await body.write(ByteBuffer(bytes: chunk)) }
            } catch {
                failure = error
            }
            group.cancelAll()
        }
        if let failure {
            logger.debug("container log stream ended early", metadata: ["error": "\(failure)"])
            throw failure
        }
        if info.isClientGone { throw CancellationError() }
        try await body.finish(nil)
    }

    // MARK: Upgrades

    /// What an upgrade request becomes.
    enum UpgradePreparation: Sendable {
        /// Not a streaming path: serve it as a plain request.
        case notStreaming
        case refused(ConnectionInfo.Refusal)
        case accepted(headers: [StreamingHeader], session: any StreamingSession)
    }

    /// Authenticates and authorizes an upgrade request on `/exec`, `/attach` or `/portForward`
    /// and asks the streaming responder, before anything is written to the client.
    func prepareUpgrade(
        method: String, uri: String, headers: [(String, String)], transport: StreamingTransport, info: ConnectionInfo
    ) async -> UpgradePreparation {
        let (path, query) = Self.split(uri)
        guard case .streaming = NodeRoute(path: path) else { return .notStreaming }
        let authorization = headers.first { $0.0.lowercased() == "authorization" }?.1
        let user: UserInfo
        switch await admit(method: method, path: path, authorization: authorization, info: info) {
        case .refused(let status, let message): return .refused(.init(status: status, message: message))
        case .admitted(let admitted): user = admitted
        }
        guard method == "GET" || method == "POST" else {
            return .refused(.init(status: 405, message: "405 method not allowed"))
        }
        guard let responder = endpoints.streaming else {
            return .refused(.init(status: 404, message: "\(path) is not served by this node"))
        }
        var byName: [String: [String]] = [:]
        for (name, value) in headers { byName[name.lowercased(), default: []].append(value) }
        let decodedPath = path.split(separator: "/", omittingEmptySubsequences: false)
            .map { String($0).removingPercentEncodingLeniently }.joined(separator: "/")
        let request = StreamingRequest(
            method: method, path: decodedPath, query: QueryParameters.parse(query), headers: byName, user: user.name)
        switch await responder.prepare(request, transport: transport) {
        case .accept(let responseHeaders, let session): return .accepted(headers: responseHeaders, session: session)
        case .reject(let status, let message): return .refused(.init(status: status, message: message))
        }
    }

    static func split(_ uri: String) -> (path: String, query: String?) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, nil) }
        return (String(uri[..<mark]), String(uri[uri.index(after: mark)...]))
    }

    // MARK: Health

    /// kubelet's healthz: `ok`, or 500 listing each check, the failing ones with their error.
    static func healthz(_ checks: [HealthCheck]) async -> (status: Int, body: String) {
        var lines: [String] = []
        var failed = false
        for check in checks {
            do {
                try await check.check()
                lines.append("[+]\(check.name) ok")
            } catch {
                failed = true
                lines.append("[-]\(check.name) failed: \(error)")
            }
        }
        guard failed else { return (200, "ok") }
        return (500, lines.joined(separator: "\n") + "\nhealthz check failed\n")
    }

    // MARK: Writing

    static func head(_ status: Int, contentType: String, length: Int) -> HTTPResponse {
        var fields = HTTPFields()
        fields[.contentType] = contentType
        fields[.contentLength] = String(length)
        return HTTPResponse(status: .init(code: status), headerFields: fields)
    }

    static func body(_ text: String) -> ResponseBody { ResponseBody(byteBuffer: ByteBuffer(string: text)) }

    static func writeText(_ writer: consuming ResponseWriter, _ status: Int, _ text: String, sendsBody: Bool) async throws {
        try await write(writer, status, contentType: "text/plain; charset=utf-8", Array(text.utf8), sendsBody: sendsBody)
    }

    static func write(
        _ writer: consuming ResponseWriter, _ status: Int, contentType: String, _ bytes: [UInt8], sendsBody: Bool
    ) async throws {
        let head = head(status, contentType: contentType, length: bytes.count)
        if sendsBody {
            try await writer.write(response: head, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        } else {
            try await writer.writeResponse(head)
        }
    }
}
