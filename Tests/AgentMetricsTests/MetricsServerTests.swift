import AgentMetrics
import CurlHTTP
import Foundation
import Glibc
import Logging
import ServiceLifecycle
import Testing

@Suite("The metrics server over real sockets")
struct MetricsServerTests {
    private let registry = MetricsRegistry()
    private let logger = Logger(label: "metrics-test") { _ in SwiftLogNoOpLogHandler() }

    init() throws {
        let metrics = try ServiceProxyMetrics(registry: registry)
        metrics.recordFailure()
        metrics.recordFailure()
    }

    private func startedServer(_ configuration: MetricsServer.Configuration = .init(bindAddress: "127.0.0.1:0")) throws
        -> (MetricsServer, Int)
    {
        let server = MetricsServer(registry: registry, configuration: configuration, logger: logger)
        try server.start()
        return (server, try #require(server.port))
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
        let (server, port) = try startedServer()
        defer { server.stop() }
        #expect(port > 0)

        let response = try await get("/metrics", port: port)

        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(response.headers["connection"] == "close")
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(text.contains("# TYPE kubeproxy_sync_proxy_rules_nftables_sync_failures_total counter\n"))
        #expect(text.contains("\nkubeproxy_sync_proxy_rules_nftables_sync_failures_total 2\n"))
        #expect(text.contains("# HELP kubeproxy_sync_proxy_rules_duration_seconds SyncProxyRules latency in seconds\n"))
    }

    @Test("GET /healthz answers ok, GET /nope 404 and POST /metrics 405")
    func otherRoutes() async throws {
        let (server, port) = try startedServer()
        defer { server.stop() }

        let health = try await get("/healthz", port: port)
        #expect(health.status == 200)
        #expect(String(decoding: health.body, as: UTF8.self) == "ok")
        #expect(try await get("/nope", port: port).status == 404)
        let post = try await get("/metrics", port: port, method: "POST")
        #expect(post.status == 405)
        #expect(post.headers["allow"] == "GET, HEAD")
    }

    @Test("garbage, an endless head and clients that hang up or reset do not stop the server; a later GET still works")
    func survivesBadClients() async throws {
        let (server, port) = try startedServer()
        defer { server.stop() }

        let garbage = try RawHTTPClient(port: port)
        garbage.send([0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x0d, 0x0a, 0x0d, 0x0a])  // a TLS hello, say
        #expect(garbage.readToEnd().hasPrefix("HTTP/1.1 400 Bad Request\r\n"))

        let endless = try RawHTTPClient(port: port)
        endless.send("GET /metrics HTTP/1.1\r\nX-Filler: \(String(repeating: "x", count: 20_000))")
        #expect(endless.readToEnd().hasPrefix("HTTP/1.1 431 "))

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
    }

    @Test("a client that sends half a request gets 408 after the request timeout, and the next client is served")
    func stalledClientTimesOut() async throws {
        let (server, port) = try startedServer(.init(bindAddress: "127.0.0.1:0", requestTimeout: .milliseconds(300)))
        defer { server.stop() }
        let started = ContinuousClock.now

        let stalled = try RawHTTPClient(port: port)
        stalled.send("GET /metrics HTTP/1.1\r\n")
        let answer = stalled.readToEnd()

        #expect(answer.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        // Loose on purpose (two cores, every suite at once); without the time-out it never ends.
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(try await get("/healthz", port: port).status == 200)
    }

    @Test("a pipelined or bodied request still gets its whole response before the connection closes")
    func extraBytesDoNotResetTheResponse() throws {
        let (server, port) = try startedServer()
        defer { server.stop() }

        let client = try RawHTTPClient(port: port)
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer = client.readToEnd()

        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(answer.hasSuffix("\r\n\r\nok"))
    }

    @Test("binding a port already in use is a listen error naming the address")
    func portInUse() throws {
        let (first, port) = try startedServer()
        defer { first.stop() }
        let second = MetricsServer(registry: registry, configuration: .init(bindAddress: "127.0.0.1:\(port)"), logger: logger)

        let error = #expect(throws: MetricsServerError.self) { try second.start() }

        #expect(error == .listen(address: "127.0.0.1:\(port)", operation: "bind", errno: EADDRINUSE))
        #expect(error?.isAddressInUse == true)
        #expect(error?.description.contains("127.0.0.1:\(port)") == true)
        #expect(second.port == nil)
    }

    @Test("an address that is not this host's is a bind error, and a malformed one an invalid-address error")
    func badAddresses() {
        let foreign = MetricsServer(registry: registry, configuration: .init(bindAddress: "192.0.2.1:0"), logger: logger)
        #expect(throws: MetricsServerError.listen(address: "192.0.2.1:0", operation: "bind", errno: EADDRNOTAVAIL)) {
            try foreign.start()
        }
        let malformed = MetricsServer(registry: registry, configuration: .init(bindAddress: "10249"), logger: logger)
        #expect(throws: MetricsServerError.invalidBindAddress("10249", reason: "expected HOST:PORT, e.g. 127.0.0.1:10249")) {
            try malformed.start()
        }
    }

    @Test("stop closes the listening socket so connections are refused, and start listens again")
    func stopAndRestart() async throws {
        let (server, port) = try startedServer()
        server.stop()

        #expect(server.port == nil)
        #expect(throws: RawHTTPClient.Failure.self) { try RawHTTPClient(port: port) }

        try server.start()
        defer { server.stop() }
        #expect(try await get("/healthz", port: #require(server.port)).status == 200)
    }

    @Test("a server on IPv6 loopback serves too")
    func ipv6Loopback() async throws {
        let server = MetricsServer(registry: registry, configuration: .init(bindAddress: "[::1]:0"), logger: logger)
        do {
            try server.start()
        } catch {
            guard case .listen = error else { throw error }
            return  // no IPv6 on this machine's loopback
        }
        defer { server.stop() }
        let port = try #require(server.port)
        let transport = CurlTransport(endpoint: HTTPEndpoint(baseURL: "http://[::1]:\(port)"))
        #expect(try await transport.send(HTTPRequest(path: "/healthz")).status == 200)
        #expect(server.listeningAddress?.description == "[::1]:\(port)")
    }

    @Test("run serves until its task is cancelled, then closes the socket")
    func runUntilCancelled() async throws {
        let server = MetricsServer(registry: registry, configuration: .init(bindAddress: "127.0.0.1:0"), logger: logger)
        let task = Task { try await server.run() }
        #expect(await eventually { server.port != nil })
        let port = try #require(server.port)
        #expect(try await get("/metrics", port: port).status == 200)

        task.cancel()
        try await task.value

        #expect(server.port == nil)
        #expect(throws: RawHTTPClient.Failure.self) { try RawHTTPClient(port: port) }
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
        let (blocker, port) = try startedServer()
        let server = MetricsServer(
            registry: registry,
            configuration: .init(bindAddress: "127.0.0.1:\(port)", listenRetryInterval: .milliseconds(50)), logger: logger)
        let task = Task { try await server.run() }
        try await Task.sleep(for: .milliseconds(150))
        #expect(server.port == nil)

        blocker.stop()

        #expect(await eventually { server.port == port })
        #expect(try await get("/healthz", port: port).status == 200)
        task.cancel()
        try await task.value
    }

    @Test("run without a retry interval throws the listen error")
    func runWithoutRetryThrows() async throws {
        let (blocker, port) = try startedServer()
        defer { blocker.stop() }
        let server = MetricsServer(
            registry: registry, configuration: .init(bindAddress: "127.0.0.1:\(port)", listenRetryInterval: nil), logger: logger)

        await #expect(throws: MetricsServerError.listen(address: "127.0.0.1:\(port)", operation: "bind", errno: EADDRINUSE)) {
            try await server.run()
        }
    }
}
