import CurlHTTP
@testable import FlannelSubnet
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The real etcd 3.4 of the tests: the endpoint scripts/test.sh started (`CLC_TEST_ETCD_ENDPOINT`),
/// or, when that is not set (`swift test --filter` by hand), one started here with
/// scripts/etcd.sh and stopped when the test process exits. Each test works under a prefix of
/// its own, so tests run in parallel on one etcd.
enum EtcdFixture {
    private static let started = Mutex<Result<String, EtcdFixtureError>?>(nil)
    static let scriptDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts").path
    static let ownDirectory = "/tmp/clc-flannel-tests-etcd-\(getpid())"

    static func endpoint() throws -> String {
        if let endpoint = ProcessInfo.processInfo.environment["CLC_TEST_ETCD_ENDPOINT"], !endpoint.isEmpty { return endpoint }
        return try started.withLock { started in
            if let started { return try started.get() }
            // A port of our own, away from scripts/test.sh's default 23790.
            let port = 24000 + Int(getpid() % 500) * 2
            let result = run(["bash", scriptDirectory + "/etcd.sh", "start", ownDirectory, "\(port)"])
            if result.status == 0, let endpoint = result.output.split(separator: "\n").last.map(String.init) {
                started = .success(endpoint)
                atexit { _ = EtcdFixture.run(["bash", EtcdFixture.scriptDirectory + "/etcd.sh", "stop", EtcdFixture.ownDirectory]) }
            } else {
                started = .failure(EtcdFixtureError(
                    message: "CLC_TEST_ETCD_ENDPOINT is not set and scripts/etcd.sh could not start etcd "
                        + "(install etcd-server with scripts/install-deps.sh): \(result.output)"))
            }
            return try started!.get()
        }
    }

    /// Runs a command and waits for it, its output in a file: the daemon it starts must not
    /// hold a pipe of ours open. posix_spawn and a blocking waitpid, so nothing depends on a
    /// run loop or the cooperative pool while the fixture's lock is held.
    static func run(_ arguments: [String]) -> (status: Int32, output: String) {
        let outputPath = NSTemporaryDirectory() + "clc-etcd-fixture-\(getpid())-\(UUID().uuidString.prefix(6)).out"
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = (["/usr/bin/env"] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, environ)
        guard spawned == 0 else { return (-1, "posix_spawn: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exited = status & 0x7f == 0
        return (exited ? (status >> 8) & 0xff : -1, text)
    }

    /// A configuration under a prefix no other test uses.
    static func configuration(api: EtcdConfiguration.APISelection = .auto) throws -> EtcdConfiguration {
        EtcdConfiguration(endpoints: [try endpoint()], prefix: "/clc-test/\(UUID().uuidString.prefix(12))/network", api: api)
    }

    static func registry(_ api: EtcdAPI, _ configuration: EtcdConfiguration) -> any SubnetRegistry {
        switch api {
        case .v2: EtcdV2Registry(configuration: configuration)
        case .v3: EtcdV3Registry(configuration: configuration)
        }
    }
}

struct EtcdFixtureError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// etcd reached directly, as another writer (etcdctl, flanneld, an operator) would.
struct RawEtcd {
    let transport: CurlTransport

    init() throws { transport = CurlTransport(endpoint: HTTPEndpoint(baseURL: try EtcdFixture.endpoint())) }
    init(endpoint: String) { transport = CurlTransport(endpoint: HTTPEndpoint(baseURL: endpoint)) }

    /// Turns on etcd 3.4's v2 authentication with a root user (the v2 store keeps its own).
    func v2Auth(user: String, password: String) async throws {
        let body = JSONValue.object(["user": .string(user), "password": .string(password)]).jsonText
        for request in [
            HTTPRequest.json("PUT", "/v2/auth/users/\(user)", body: Array(body.utf8)),
            HTTPRequest(method: "PUT", path: "/v2/auth/enable"),
        ] {
            var request = request
            request.headers.append(HTTPHeader("Authorization", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()))
            let response = try await transport.send(request)
            guard response.isSuccess else { throw EtcdFixtureError(message: "\(request.path): \(response.status) \(response.text)") }
        }
    }

    func put(_ api: EtcdAPI, _ key: String, _ value: String) async throws {
        switch api {
        case .v2:
            let body = "value=" + (value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value)
            var request = HTTPRequest(method: "PUT", path: "/v2/keys" + key, body: Array(body.utf8))
            request.headers = [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")]
            let response = try await transport.send(request)
            guard response.isSuccess else { throw EtcdFixtureError(message: "v2 put \(key): \(response.text)") }
        case .v3:
            _ = try await v3("/v3/kv/put", ["key": .string(b64(key)), "value": .string(b64(value))])
        }
    }

    func delete(_ api: EtcdAPI, _ key: String) async throws {
        switch api {
        case .v2: _ = try await transport.send(HTTPRequest(method: "DELETE", path: "/v2/keys" + key))
        case .v3: _ = try await v3("/v3/kv/deleterange", ["key": .string(b64(key))])
        }
    }

    /// Seconds left on a key's TTL (v2 `ttl`, v3 its lease's timetolive); nil without one.
    func ttl(_ api: EtcdAPI, _ key: String) async throws -> Int64? {
        switch api {
        case .v2:
            let response = try await transport.send(HTTPRequest(path: "/v2/keys" + key))
            return try JSONValue.parse(response.body)[member: "node"]?[member: "ttl"]?.int64
        case .v3:
            let range = try await v3("/v3/kv/range", ["key": .string(b64(key))])
            guard case let .array(kvs)? = range[member: "kvs"], let lease = kvs.first?[member: "lease"]?.int64 else { return nil }
            return try await v3("/v3/lease/timetolive", ["ID": .string("\(lease)")])[member: "TTL"]?.int64
        }
    }

    func value(_ api: EtcdAPI, _ key: String) async throws -> String? {
        switch api {
        case .v2:
            let response = try await transport.send(HTTPRequest(path: "/v2/keys" + key))
            if case let .string(value)? = try JSONValue.parse(response.body)[member: "node"]?[member: "value"] { return value }
            return nil
        case .v3:
            let range = try await v3("/v3/kv/range", ["key": .string(b64(key))])
            guard case let .array(kvs)? = range[member: "kvs"], case let .string(value)? = kvs.first?[member: "value"] else { return nil }
            return Data(base64Encoded: value).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// Compacts the v3 store up to its current revision.
    func compact() async throws {
        let revision = try await v3("/v3/kv/range", ["key": .string(b64("/"))])[member: "header"]?[member: "revision"]?.int64 ?? 0
        _ = try await v3("/v3/kv/compaction", ["revision": .string("\(revision)"), "physical": .bool(true)])
    }

    @discardableResult
    func v3(_ path: String, _ body: [String: JSONValue]) async throws -> JSONValue {
        let response = try await transport.send(.json("POST", path, body: Array(JSONValue.object(body).jsonText.utf8)))
        guard response.isSuccess else { throw EtcdFixtureError(message: "\(path): \(response.status) \(response.text)") }
        return try JSONValue.parse(response.body)
    }

    private func b64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
}
