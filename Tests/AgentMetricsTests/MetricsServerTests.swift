import AgentMetrics
import CurlHTTP
import Foundation
import Glibc
import Logging
import ServiceLifecycle
import Testing
import TestSockets

@Suite("The metrics server over real sockets")
struct MetricsServerTests {
    private let registry = MetricsRegistry()
    private let logger = Logger(label: "metrics-test") { _ in SwiftLogNoOpLogHandler() }

    init() throws {
        let metrics = try ServiceProxyMetrics(registry: registry)
        metrics.recordFailure()
        metrics.recordFailure()
    }

    /// A server running in a task of its own on an ephemeral port; cancel the task to stop it.
    private func startedServer(_ configuration: MetricsServer.Configuration = .init(bindAddress: "127.0.0.1:0")) async throws
        -> (MetricsServer, Int, Task<Void, any Error>)
    {
        let server = MetricsServer(registry: registry, configuration: configuration, logger: logger)
        let task = Task { try await server.run() }
        #expect(await eventually { server.port != nil })
        return (server, try #require(server.port), task)
    }

    private func stop(_ task: Task<Void, any Error>) async {
        task.cancel()
        _ = try? await task.value
    }

    private func get(_ path: String, port: Int, method: String = "GET") async throws -> HTTPResponse {
        let transport = CurlTransport(endpoint: HTTPEndpoint(baseURL: "http://127.0.0.1:\(port)"), maxConcurrentRequests: 1)
        return try await transport.send(HTTPRequest(method: method, path: path, timeout: .seconds(15)))
    }

    /// Polls a condition that a server thread makes true; false when it is still false after `limit`.
    private func eventually(within limit: Duration = .seconds(15), _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test("GET /metrics on an ephemeral port answers 200 with the Prometheus content type and the registry's text")
    func servesMetrics() async throws {
        let (_, port, task) = try await startedServer()
        #expect(port > 0)

        let response = try await get("/metrics", port: port)
        await stop(task)

        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(text.contains("# TYPE kubeproxy_sync_proxy_rules_nftables_sync_failures_total counter\n"))
        #expect(text.contains("\nkubeproxy_sync_proxy_rules_nftables_sync_failures_total 2\n"))
        #expect(text.contains("# HELP kubeproxy_sync_proxy_rules_duration_seconds SyncProxyRules latency in seconds\n"))
    }

    @Test("GET /healthz answers ok, GET /nope 404 and POST /metrics 405")
    func otherRoutes() async throws {
        let (_, port, task) = try await startedServer()

        let health = try await get("/healthz", port: port)
        #expect(health.status == 200)
        #expect(String(decoding: health.body, as: UTF8.self) == "ok")
        #expect(try await get("/nope", port: port).status == 404)
        let post = try await get("/metrics", port: port, method: "POST")
        #expect(post.status == 405)
        #expect(post.headers["allow"] == "GET, HEAD")
        await stop(task)
    }

    @Test("garbage, an endless head and clients that hang up or reset do not stop the server; a later GET still works")
    func survivesBadClients() async throws {
        let (_, port, task) = try await startedServer()

        let garbage = try RawHTTPClient(port: port)
        garbage.send([0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x0d, 0x0a, 0x0d, 0x0a])  // a TLS hello, say
        #expect(garbage.readToEnd().hasPrefix("HTTP/1.1 400 Bad Request\r\n"))

        let endless = try RawHTTPClient(port: port)
        endless.send("GET /metrics HTTP/1.1\r\nX-Filler: \(String(repeating: "x", count: 20_000))")
        #expect(endless.readToEnd().hasPrefix("HTTP/1.1 400 "))

        do {
            let leaver = try RawHTTPClient(port: port)
            leaver.send("GET /met")
            leaver.resetOnClose()
        }
        try RawHTTPClient(port: port).resetOnClose()
        _ = try RawHTTPClient(port: port)  // connects and closes without a byte

        let response = try await get("/metrics", port: port)
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self).contains("kubeproxy_sync_proxy_rules_nftables_sync_failures_total 2"))
        await stop(task)
    }

    @Test("a client that sends half a request is disconnected after the request timeout, and the next client is served")
    func stalledClientTimesOut() async throws {
        let (_, port, task) = try await startedServer(.init(bindAddress: "127.0.0.1:0", requestTimeout: .milliseconds(300)))
        let started = ContinuousClock.now

        let stalled = try RawHTTPClient(port: port)
        stalled.send("GET /metrics HTTP/1.1\r\n")
        _ = stalled.readToEnd()

        // Loose on purpose (two cores, every suite at once); without the time-out it takes the
        // client's 15 s receive time-out.
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(try await get("/healthz", port: port).status == 200)
        await stop(task)
    }

    @Test("pipelined requests each get their whole response")
    func pipelinedRequests() async throws {
        let (_, port, task) = try await startedServer()

        let client = try RawHTTPClient(port: port)
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let answer = client.readToEnd()

        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(answer.components(separatedBy: "HTTP/1.1 200 OK").count == 3)
        #expect(answer.hasSuffix("\r\n\r\nok"))
        await stop(task)
    }

    @Test("an address that is not this host's is a bind error, and a malformed one an invalid-address error")
    func badAddresses() async {
        let foreign = MetricsServer(
            registry: registry, configuration: .init(bindAddress: "192.0.2.1:0", listenRetryInterval: nil), logger: logger)
        await #expect(throws: MetricsServerError.listen(address: "192.0.2.1:0", operation: "bind", errno: EADDRNOTAVAIL)) {
            try await foreign.run()
        }
        let malformed = MetricsServer(registry: registry, configuration: .init(bindAddress: "10249"), logger: logger)
        await #expect(throws: MetricsServerError.invalidBindAddress("10249", reason: "expected HOST:PORT, e.g. 127.0.0.1:10249")) {
            try await malformed.run()
        }
    }

    @Test("a server on IPv6 loopback serves too")
    func ipv6Loopback() async throws {
        let server = MetricsServer(
            registry: registry, configuration: .init(bindAddress: "[::1]:0", listenRetryInterval: nil), logger: logger)
        let task = Task { try await server.run() }
        guard await eventually(within: .seconds(5), { server.port != nil }) else {
            await stop(task)
            return  // no IPv6 on this machine's loopback
        }
        let port = try #require(server.port)
        let transport = CurlTransport(endpoint: HTTPEndpoint(baseURL: "http://[::1]:\(port)"))
        #expect(try await transport.send(HTTPRequest(path: "/healthz")).status == 200)
        #expect(server.listeningAddress?.description == "[::1]:\(port)")
        await stop(task)
    }

    @Test("run serves until its task is cancelled, then closes the socket")
    func runUntilCancelled() async throws {
        let (server, port, task) = try await startedServer()
        #expect(try await get("/metrics", port: port).status == 200)

        task.cancel()
        try await task.value

        #expect(server.port == nil)
        #expect(throws: SocketCallError.self) { try RawHTTPClient(port: port) }
    }

    @Test("in a ServiceGroup the server stops on graceful shutdown")
    func serviceGroupShutdown() async throws {
        let server = MetricsServer(registry: registry, configuration: .init(bindAddress: "127.0.0.1:0"), logger: logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: logger))
        let running = Task { try await group.run() }
        #expect(await eventually { server.port != nil })

        await group.triggerGracefulShutdown()
        try await running.value

        #expect(server.port == nil)
    }

    @Test("run keeps trying while the port is taken, and serves once it is free")
    func runRetriesListening() async throws {
        let (_, port, blocker) = try await startedServer()
        let server = MetricsServer(
            registry: registry,
            configuration: .init(bindAddress: "127.0.0.1:\(port)", listenRetryInterval: .milliseconds(50)), logger: logger)
        let task = Task { try await server.run() }
        try await Task.sleep(for: .milliseconds(150))
        #expect(server.port == nil)

        await stop(blocker)

        #expect(await eventually { server.port == port })
        #expect(try await get("/healthz", port: port).status == 200)
        await stop(task)
    }

    @Test("run without a retry interval throws the listen error naming the address")
    func runWithoutRetryThrows() async throws {
        let (_, port, blocker) = try await startedServer()
        let server = MetricsServer(
            registry: registry, configuration: .init(bindAddress: "127.0.0.1:\(port)", listenRetryInterval: nil), logger: logger)

        let error = await #expect(throws: MetricsServerError.self) { try await server.run() }
        #expect(error == .listen(address: "127.0.0.1:\(port)", operation: "bind", errno: EADDRINUSE))
        #expect(error?.isAddressInUse == true)
        await stop(blocker)
    }
}
