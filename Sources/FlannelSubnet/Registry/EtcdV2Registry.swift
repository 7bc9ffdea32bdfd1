import AgentTime
import CurlHTTP
import Foundation
import KubeAPI

/// flannel's keys through etcd's v2 keys API (`/v2/keys/...`, served by etcd 3.4 with
/// `--enable-v2=true`), as the 2015 hosts' flanneld used it. Revisions are v2 indexes
/// (`X-Etcd-Index`, `modifiedIndex`).
public struct EtcdV2Registry: SubnetRegistry {
    public var api: EtcdAPI { .v2 }
    let connection: EtcdConnection
    private var configuration: EtcdConfiguration { connection.configuration }

    public init(configuration: EtcdConfiguration) {
        self.connection = EtcdConnection(configuration: configuration)
    }

    init(connection: EtcdConnection) { self.connection = connection }

    public func networkConfig() async throws(RegistryError) -> [UInt8]? {
        let key = configuration.configKey
        let response = try await get(key, operation: "read network config")
        if response.status == 404 { return nil }
        let node = try node(response, key: key, operation: "read network config")
        guard case let .string(value)? = node[member: "value"] else {
            throw .malformed(operation: "read network config", key: key, detail: "no value (is it a directory?)")
        }
        return Array(value.utf8)
    }

    public func leases() async throws(RegistryError) -> LeaseListing {
        let key = configuration.subnetsKey
        let response = try await get(key, query: [("recursive", "true")], operation: "list leases")
        let index = Int64(response.headers["x-etcd-index"] ?? "") ?? 0
        if response.status == 404 { return LeaseListing(leases: [], revision: index) }
        guard response.isSuccess else { throw Self.failure(response, key: key, operation: "list leases") }
        guard let directory = EtcdWire.decode(EtcdWire.V2Response.self, response.body)?.node else {
            throw .malformed(operation: "list leases", key: key, detail: response.text)
        }
        var leases: [SubnetLease] = []
        var skipped: [String] = []
        for child in directory.nodes ?? [] where child.dir != true {
            do throws(LeaseReadError) { leases.append(try Self.lease(from: child)) } catch { skipped.append(error.description) }
        }
        return LeaseListing(leases: leases, revision: index, skipped: skipped)
    }

    public func lease(_ subnet: IPv4Subnet) async throws(RegistryError) -> SubnetLease? {
        let key = configuration.leaseKey(subnet)
        let response = try await get(key, operation: "read lease")
        if response.status == 404 { return nil }
        guard response.isSuccess else { throw Self.failure(response, key: key, operation: "read lease") }
        guard let found = EtcdWire.decode(EtcdWire.V2Response.self, response.body)?.node else {
            throw .malformed(operation: "read lease", key: key, detail: response.text)
        }
        do throws(LeaseReadError) {
            return try Self.lease(from: found)
        } catch {
            throw .malformed(operation: "read lease", key: key, detail: error.description)
        }
    }

    public func createLease(_ subnet: IPv4Subnet, attributes: LeaseAttributes, ttl: Duration) async throws(RegistryError) -> Date {
        let key = configuration.leaseKey(subnet)
        let form = [("value", attributes.json), ("ttl", "\(ttl.components.seconds)"), ("prevExist", "false")]
        let response = try await put(key, form: form, operation: "create lease")
        if response.status == 412 { throw .alreadyExists(key: key) }
        _ = try node(response, key: key, operation: "create lease")
        return SteadyClock.process.now.addingTimeInterval(TimeInterval(ttl.components.seconds))
    }

    public func updateLease(_ subnet: IPv4Subnet, attributes: LeaseAttributes, ttl: Duration) async throws(RegistryError) -> Date? {
        let key = configuration.leaseKey(subnet)
        var form = [("value", attributes.json)]
        if ttl > .zero { form.append(("ttl", "\(ttl.components.seconds)")) }
        let response = try await put(key, form: form, operation: "renew lease")
        _ = try node(response, key: key, operation: "renew lease")
        return ttl > .zero ? SteadyClock.process.now.addingTimeInterval(TimeInterval(ttl.components.seconds)) : nil
    }

    public func deleteLease(_ subnet: IPv4Subnet) async throws(RegistryError) {
        let key = configuration.leaseKey(subnet)
        let response = try await connection.send(
            request("DELETE", key, query: []), operation: "delete lease")
        if response.status == 404 || response.isSuccess { return }
        throw Self.failure(response, key: key, operation: "delete lease")
    }

    public func watchLeases(from revision: Int64) -> AsyncThrowingStream<[LeaseEvent], any Error> {
        let key = configuration.subnetsKey
        return AsyncThrowingStream { continuation in
            let task = Task {
                var next = revision
                while !Task.isCancelled {
                    // A long poll: etcd answers with the first event at or after waitIndex. The
                    // timeout only bounds a silent dead connection; it is not an error.
                    var request = request(
                        "GET", key, query: [("wait", "true"), ("recursive", "true"), ("waitIndex", "\(next)")])
                    request.timeout = .seconds(300)
                    let response: HTTPResponse
                    do throws(RegistryError) {
                        response = try await connection.send(request, operation: "watch leases")
                    } catch {
                        if case .unreachable(_, let errors) = error, errors.allSatisfy({ $0.contains("timed out") }) { continue }
                        continuation.finish(throwing: error)
                        return
                    }
                    if response.status == 400, Self.errorCode(response) == 401 {
                        continuation.finish(throwing: RegistryError.historyCompacted(requested: next))
                        return
                    }
                    guard response.isSuccess, !response.body.isEmpty else {
                        continuation.finish(throwing: Self.failure(response, key: key, operation: "watch leases"))
                        return
                    }
                    guard let event = EtcdWire.decode(EtcdWire.V2Response.self, response.body), let action = event.action,
                        let node = event.node, let eventKey = node.key, let modified = node.modifiedIndex
                    else {
                        continuation.finish(
                            throwing: RegistryError.malformed(operation: "watch leases", key: key, detail: response.text))
                        return
                    }
                    next = modified + 1
                    let name = eventKey.split(separator: "/").last.map(String.init) ?? ""
                    guard let subnet = IPv4Subnet(leaseKeyName: name) else { continue }
                    switch action {
                    case "delete", "expire", "compareAndDelete":
                        continuation.yield([.removed(subnet, revision: modified)])
                    default:
                        if let lease = try? Self.lease(from: node) { continuation.yield([.put(lease, revision: modified)]) }
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    // MARK: HTTP

    private func request(_ method: String, _ key: String, query: [(String, String)]) -> HTTPRequest {
        var request = HTTPRequest(method: method, path: "/v2/keys" + key + QueryString.encode(query), timeout: configuration.requestTimeout)
        if let username = configuration.username {
            let credentials = Data("\(username):\(configuration.password ?? "")".utf8).base64EncodedString()
            request.headers.append(HTTPHeader("Authorization", "Basic \(credentials)"))
        }
        return request
    }

    private func get(_ key: String, query: [(String, String)] = [], operation: String) async throws(RegistryError) -> HTTPResponse {
        let response = try await connection.send(request("GET", key, query: query), operation: operation)
        if response.status == 404, Self.errorCode(response) == nil {
            throw .server(
                operation: operation, key: key, status: 404,
                message: "the v2 keys API is not served here (etcd 3.4 serves it only with --enable-v2=true)")
        }
        return response
    }

    private func put(_ key: String, form: [(String, String)], operation: String) async throws(RegistryError) -> HTTPResponse {
        var request = request("PUT", key, query: [])
        request.body = Array(QueryString.encode(form).dropFirst().utf8)
        request.headers.append(HTTPHeader("Content-Type", "application/x-www-form-urlencoded"))
        return try await connection.send(request, operation: operation)
    }

    private func node(_ response: HTTPResponse, key: String, operation: String) throws(RegistryError) -> JSONValue {
        guard response.isSuccess else { throw Self.failure(response, key: key, operation: operation) }
        guard let document = try? JSONValue.parse(response.body), let node = document[member: "node"] else {
            throw .malformed(operation: operation, key: key, detail: response.text)
        }
        return node
    }

    private static func errorCode(_ response: HTTPResponse) -> Int64? {
        (try? JSONValue.parse(response.body))?[member: "errorCode"]?.int64
    }

    private static func failure(_ response: HTTPResponse, key: String, operation: String) -> RegistryError {
        if response.status == 401 || response.status == 403 {
            return .unauthorized(operation: operation, message: response.text)
        }
        var message = response.text
        if let document = try? JSONValue.parse(response.body), case let .string(text)? = document[member: "message"] {
            message = text
            if case let .string(cause)? = document[member: "cause"] { message += " (\(cause))" }
        }
        return .server(operation: operation, key: key, status: response.status, message: message)
    }

    static func lease(from node: EtcdWire.V2Node) throws(LeaseReadError) -> SubnetLease {
        guard let key = node.key else { throw LeaseReadError(key: "?", reason: "no key") }
        let name = key.split(separator: "/").last.map(String.init) ?? ""
        guard let subnet = IPv4Subnet(leaseKeyName: name) else { throw LeaseReadError(key: key, reason: "not a subnet key") }
        guard let value = node.value else { throw LeaseReadError(key: key, reason: "no value") }
        let attributes: LeaseAttributes
        do { attributes = try LeaseAttributes.parse(Array(value.utf8)) } catch { throw LeaseReadError(key: key, reason: error.description) }
        return SubnetLease(
            subnet: subnet, attributes: attributes, expiration: node.expiration.flatMap(KubeTime.parse), hasTTL: node.ttl != nil)
    }
}
