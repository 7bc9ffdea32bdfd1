import AgentTime
import CurlHTTP
import Foundation
import Synchronization

/// flannel's keys through etcd's v3 API over the JSON gateway that etcd 3.4 serves under `/v3/`
/// (the gRPC API in JSON: bytes base64, int64 as strings, zero values omitted). Revisions are
/// v3 store revisions.
///
/// Authentication: with a username, a token from `/v3/auth/authenticate` goes in the
/// `Authorization` header (no `Bearer`); an expired token (401) is traded again once.
public final class EtcdV3Registry: SubnetRegistry {
    public var api: EtcdAPI { .v3 }
    let connection: EtcdConnection
    private let token = Mutex<String?>(nil)
    private var configuration: EtcdConfiguration { connection.configuration }

    public init(configuration: EtcdConfiguration) {
        self.connection = EtcdConnection(configuration: configuration)
    }

    init(connection: EtcdConnection) { self.connection = connection }

    public func networkConfig() async throws(RegistryError) -> [UInt8]? {
        let key = configuration.configKey
        let reply = try await call("/v3/kv/range", ["key": .string(Self.base64(key))], key: key, operation: "read network config")
        guard case let .array(kvs)? = reply[member: "kvs"], let first = kvs.first else { return nil }
        guard case let .string(value)? = first[member: "value"], let bytes = Data(base64Encoded: value) else { return [] }
        return Array(bytes)
    }

    public func leases() async throws(RegistryError) -> LeaseListing {
        let directory = configuration.subnetsKey + "/"
        let body = try await callRaw(
            "/v3/kv/range", ["key": .string(Self.base64(directory)), "range_end": .string(Self.base64(Self.prefixEnd(directory)))],
            key: directory, operation: "list leases")
        guard let reply = EtcdWire.decode(EtcdWire.V3Range.self, body) else {
            throw .malformed(operation: "list leases", key: directory, detail: String(decoding: body, as: UTF8.self))
        }
        let revision = reply.header?.revision.flatMap { Int64($0) } ?? 0
        var leases: [SubnetLease] = []
        var skipped: [String] = []
        for kv in reply.kvs ?? [] {
            do throws(LeaseReadError) { leases.append(try Self.lease(from: kv)) } catch { skipped.append(error.description) }
        }
        return LeaseListing(leases: leases, revision: revision, skipped: skipped)
    }

    public func lease(_ subnet: IPv4Subnet) async throws(RegistryError) -> SubnetLease? {
        let key = configuration.leaseKey(subnet)
        let body = try await callRaw("/v3/kv/range", ["key": .string(Self.base64(key))], key: key, operation: "read lease")
        guard let reply = EtcdWire.decode(EtcdWire.V3Range.self, body) else {
            throw .malformed(operation: "read lease", key: key, detail: String(decoding: body, as: UTF8.self))
        }
        guard let kv = reply.kvs?.first else { return nil }
        do throws(LeaseReadError) { return try Self.lease(from: kv) } catch {
            throw .malformed(operation: "read lease", key: key, detail: error.description)
        }
    }

    public func createLease(_ subnet: IPv4Subnet, attributes: LeaseAttributes, ttl: Duration) async throws(RegistryError) -> Date {
        let key = configuration.leaseKey(subnet)
        let (id, granted) = try await grant(ttl: ttl, key: key)
        let encodedKey = JSONValue.string(Self.base64(key))
        let put: JSONValue = .object([
            "key": encodedKey, "value": .string(Self.base64(attributes.json)), "lease": .string(id),
        ])
        let reply: JSONValue
        do {
            reply = try await call(
                "/v3/kv/txn",
                [
                    "compare": .array([.object(["key": encodedKey, "target": .string("VERSION"), "result": .string("EQUAL"), "version": .string("0")])]),
                    "success": .array([.object(["request_put": put])]),
                ], key: key, operation: "create lease")
        } catch {
            await revoke(id, key: key)
            throw error
        }
        guard reply[member: "succeeded"] == .bool(true) else {
            await revoke(id, key: key)
            throw .alreadyExists(key: key)
        }
        return SteadyClock.process.now.addingTimeInterval(TimeInterval(granted))
    }

    public func updateLease(_ subnet: IPv4Subnet, attributes: LeaseAttributes, ttl: Duration) async throws(RegistryError) -> Date? {
        let key = configuration.leaseKey(subnet)
        var put: [String: JSONValue] = ["key": .string(Self.base64(key)), "value": .string(Self.base64(attributes.json))]
        var granted: Int64?
        // flannel renews by putting the key again on a fresh etcd lease; watchers see a PUT.
        if ttl > .zero {
            let (id, seconds) = try await grant(ttl: ttl, key: key)
            put["lease"] = .string(id)
            granted = seconds
            do { _ = try await call("/v3/kv/put", put, key: key, operation: "renew lease") } catch {
                await revoke(id, key: key)
                throw error
            }
        } else {
            _ = try await call("/v3/kv/put", put, key: key, operation: "renew lease")
        }
        return granted.map { SteadyClock.process.now.addingTimeInterval(TimeInterval($0)) }
    }

    public func deleteLease(_ subnet: IPv4Subnet) async throws(RegistryError) {
        let key = configuration.leaseKey(subnet)
        _ = try await call("/v3/kv/deleterange", ["key": .string(Self.base64(key))], key: key, operation: "delete lease")
    }

    public func watchLeases(from revision: Int64) -> AsyncThrowingStream<[LeaseEvent], any Error> {
        let directory = configuration.subnetsKey + "/"
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let body = JSONValue.object([
                        "create_request": .object([
                            "key": .string(Self.base64(directory)), "range_end": .string(Self.base64(Self.prefixEnd(directory))),
                            "start_revision": .string("\(revision)"),
                            // etcd then reports progress every 10 minutes on a quiet watch, so
                            // silence past the idle timeout means a dead connection.
                            "progress_notify": .bool(true),
                        ])
                    ])
                    var request = HTTPRequest.json("POST", "/v3/watch", body: Array(body.jsonText.utf8), timeout: nil)
                    request.idleTimeout = .seconds(900)
                    if let token = try await authenticatedToken() { request.headers.append(HTTPHeader("Authorization", token)) }
                    // A line is one watch response; one with thousands of lease changes stays
                    // far below this.
                    var splitter = LineSplitter(maxLineBytes: Self.watchMaxLineBytes, stream: "etcd watch \(directory)")
                    for try await chunk in connection.stream(request) {
                        for line in try splitter.append(chunk) {
                            let events = try Self.watchEvents(line, requested: revision, key: directory)
                            if !events.isEmpty { continuation.yield(events) }
                        }
                    }
                    continuation.finish()
                } catch HTTPError.status(_, 401, let body) {
                    // An expired token: the next watch authenticates again.
                    token.withLock { $0 = nil }
                    continuation.finish(throwing: RegistryError.unauthorized(operation: "watch leases", message: body))
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// 4 MiB: the longest etcd watch response line accepted; a longer one ends the watch with
    /// ``LineSplitter/LineTooLong`` and the lease watcher watches again.
    static let watchMaxLineBytes = 4 << 20

    // MARK: Wire format

    static func watchEvents(_ line: [UInt8], requested: Int64, key: String) throws(RegistryError) -> [LeaseEvent] {
        guard let document = try? JSONValue.parse(line) else {
            throw .malformed(operation: "watch leases", key: key, detail: String(decoding: line, as: UTF8.self))
        }
        if let error = document[member: "error"] {
            throw .server(operation: "watch leases", key: key, status: 200, message: error.jsonText)
        }
        guard let result = document[member: "result"] else { return [] }
        if result[member: "canceled"] == .bool(true) {
            if let compacted = result[member: "compact_revision"]?.int64, compacted > 0 {
                throw .historyCompacted(requested: requested)
            }
            let reason = result[member: "cancel_reason"].map { $0.jsonText } ?? "no reason given"
            throw .server(operation: "watch leases", key: key, status: 200, message: "watch canceled: \(reason)")
        }
        guard case let .array(events)? = result[member: "events"] else { return [] }
        var batch: [LeaseEvent] = []
        for event in events {
            guard let kv = event[member: "kv"], case let .string(encodedKey)? = kv[member: "key"],
                let keyText = Data(base64Encoded: encodedKey).map({ String(decoding: $0, as: UTF8.self) })
            else { continue }
            let revision = kv[member: "mod_revision"]?.int64 ?? 0
            let name = keyText.split(separator: "/").last.map(String.init) ?? ""
            guard let subnet = IPv4Subnet(leaseKeyName: name) else { continue }
            if event[member: "type"] == .string("DELETE") {
                batch.append(.removed(subnet, revision: revision))
            } else if let lease = try? lease(from: EtcdWire.V3KeyValue(
                key: encodedKey, value: kv[member: "value"].flatMap { if case let .string(text) = $0 { text } else { nil } },
                lease: kv[member: "lease"]?.int64.map { "\($0)" }))
            {
                batch.append(.put(lease, revision: revision))
            }
        }
        return batch
    }

    static func lease(from kv: EtcdWire.V3KeyValue) throws(LeaseReadError) -> SubnetLease {
        guard let encodedKey = kv.key, let keyBytes = Data(base64Encoded: encodedKey) else {
            throw LeaseReadError(key: "?", reason: "no key")
        }
        let key = String(decoding: keyBytes, as: UTF8.self)
        let name = key.split(separator: "/").last.map(String.init) ?? ""
        guard let subnet = IPv4Subnet(leaseKeyName: name) else { throw LeaseReadError(key: key, reason: "not a subnet key") }
        guard let encodedValue = kv.value, let value = Data(base64Encoded: encodedValue) else {
            throw LeaseReadError(key: key, reason: "no value")
        }
        let attributes: LeaseAttributes
        do { attributes = try LeaseAttributes.parse(Array(value)) } catch { throw LeaseReadError(key: key, reason: error.description) }
        let leaseID = kv.lease.flatMap { Int64($0) } ?? 0
        return SubnetLease(subnet: subnet, attributes: attributes, expiration: nil, hasTTL: leaseID != 0)
    }

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    /// The end of a prefix scan: the prefix with its last byte incremented.
    static func prefixEnd(_ prefix: String) -> String {
        var bytes = Array(prefix.utf8)
        bytes[bytes.count - 1] += 1
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: HTTP

    private func grant(ttl: Duration, key: String) async throws(RegistryError) -> (id: String, ttl: Int64) {
        let reply = try await call("/v3/lease/grant", ["TTL": .string("\(ttl.components.seconds)")], key: key, operation: "grant lease")
        guard let id = reply[member: "ID"]?.int64, let granted = reply[member: "TTL"]?.int64 else {
            throw .malformed(operation: "grant lease", key: key, detail: reply.jsonText)
        }
        return ("\(id)", granted)
    }

    private func revoke(_ id: String, key: String) async {
        _ = try? await call("/v3/lease/revoke", ["ID": .string(id)], key: key, operation: "revoke lease")
    }

    /// POSTs a gateway call and returns its parsed reply.
    private func call(_ path: String, _ body: [String: JSONValue], key: String, operation: String) async throws(RegistryError) -> JSONValue {
        let reply = try await callRaw(path, body, key: key, operation: operation)
        guard let parsed = try? JSONValue.parse(reply) else {
            throw .malformed(operation: operation, key: key, detail: String(decoding: reply, as: UTF8.self))
        }
        return parsed
    }

    /// POSTs a gateway call and returns the body of its 2xx reply; an expired token is renewed once.
    private func callRaw(_ path: String, _ body: [String: JSONValue], key: String, operation: String) async throws(RegistryError) -> [UInt8] {
        for attempt in 0..<2 {
            var request = HTTPRequest.json("POST", path, body: Array(JSONValue.object(body).jsonText.utf8), timeout: configuration.requestTimeout)
            if let token = try await authenticatedToken() { request.headers.append(HTTPHeader("Authorization", token)) }
            let response = try await connection.send(request, operation: operation)
            if response.isSuccess { return response.body }
            if response.status == 401, configuration.username != nil, attempt == 0 {
                token.withLock { $0 = nil }
                continue
            }
            if response.status == 404 {
                throw .server(operation: operation, key: key, status: 404, message: "no v3 JSON gateway at \(path) (etcd older than 3.4?)")
            }
            let message = (try? JSONValue.parse(response.body))?[member: "error"].flatMap { value -> String? in
                if case let .string(text) = value { return text } else { return nil }
            } ?? response.text
            if response.status == 401 || response.status == 403 { throw .unauthorized(operation: operation, message: message) }
            throw .server(operation: operation, key: key, status: response.status, message: message)
        }
        throw .unauthorized(operation: operation, message: "token refused twice")
    }

    private func authenticatedToken() async throws(RegistryError) -> String? {
        guard let username = configuration.username else { return nil }
        if let cached = token.withLock({ $0 }) { return cached }
        let body = JSONValue.object(["name": .string(username), "password": .string(configuration.password ?? "")])
        let response = try await connection.send(
            .json("POST", "/v3/auth/authenticate", body: Array(body.jsonText.utf8), timeout: configuration.requestTimeout),
            operation: "authenticate")
        guard response.isSuccess, let reply = try? JSONValue.parse(response.body), case let .string(value)? = reply[member: "token"] else {
            throw .unauthorized(operation: "authenticate as \(username)", message: response.text)
        }
        token.withLock { $0 = value }
        return value
    }
}
