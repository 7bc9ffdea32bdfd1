import Foundation
import TestSupport

/// The two etcd APIs flannel uses: the v2 keys API and v3 through etcd's JSON gateway.
enum EtcdAPI: String, Sendable {
    case v2, v3
}

/// A real etcd 3.4 (scripts/etcd.sh, v2 API on) of one test, listening on `host` only (the
/// two-node harness's root-namespace address, which every simulated node reaches), and read and
/// written with curl as another writer (etcdctl, flanneld, an operator) would.
final class TestEtcd: Sendable {
    let directory: String
    let host: String
    let port: Int

    var endpoint: String { "http://\(host):\(port)" }

    static let script = TestEnvironment.repositoryRoot + "/scripts/etcd.sh"

    private init(directory: String, host: String, port: Int) {
        self.directory = directory
        self.host = host
        self.port = port
    }

    /// Starts etcd with its data in `directory` (scripts/etcd.sh's DIR).
    /// - Parameters:
    ///   - directory: e.g. `etcd` in a simulated nodes' run directory, so that the run's `down`
    ///     stops it even when the test process died.
    ///   - port: the client port (peer: port + 1); the host is one test's own address, so
    ///     etcd's usual 2379 is free on it.
    static func start(host: String, port: Int = 2379, directory: String) async throws -> TestEtcd {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/etcd") else {
            throw TestEnvironmentError("/usr/bin/etcd is missing: install etcd-server (scripts/install-deps.sh)")
        }
        let etcd = TestEtcd(directory: directory, host: host, port: port)
        try await etcd.resume()
        return etcd
    }

    /// Starts it again on the same data (after ``halt()``).
    func resume() async throws {
        let result = try await DaemonScript.run(Self.script, ["start", directory, "\(port)"], environment: ["CLC_ETCD_HOST=\(host)"])
        guard result.succeeded else { throw HostCommand.Failure(result: result) }
    }

    /// Stops it and keeps its data: an etcd that is down.
    func halt() async throws {
        let result = try await DaemonScript.run(Self.script, ["halt", directory, "\(port)"], environment: ["CLC_ETCD_HOST=\(host)"])
        guard result.succeeded else { throw HostCommand.Failure(result: result) }
    }

    /// Stops it and removes its data.
    func stop() async {
        _ = try? await DaemonScript.run(Self.script, ["stop", directory, "\(port)"], environment: ["CLC_ETCD_HOST=\(host)"])
    }

    // MARK: Keys

    func put(_ api: EtcdAPI, _ key: String, _ value: String) async throws {
        switch api {
        case .v2:
            _ = try await curl(["-X", "PUT", endpoint + "/v2/keys" + key, "--data-urlencode", "value=\(value)"])
        case .v3:
            _ = try await v3("/v3/kv/put", ["key": Self.base64(key), "value": Self.base64(value)])
        }
    }

    func delete(_ api: EtcdAPI, _ key: String) async throws {
        switch api {
        case .v2: _ = try await curl(["-X", "DELETE", endpoint + "/v2/keys" + key], allowing: [404])
        case .v3: _ = try await v3("/v3/kv/deleterange", ["key": Self.base64(key)])
        }
    }

    /// The keys under `prefix` (a directory, ending in `/`) with their values.
    func list(_ api: EtcdAPI, prefix: String) async throws -> [String: String] {
        var values: [String: String] = [:]
        switch api {
        case .v2:
            let answer = try await curl([endpoint + "/v2/keys" + prefix], allowing: [404])
            let node = (answer as? [String: Any])?["node"] as? [String: Any]
            for child in node?["nodes"] as? [[String: Any]] ?? [] {
                if let key = child["key"] as? String, let value = child["value"] as? String { values[key] = value }
            }
        case .v3:
            var end = Array(prefix.utf8)
            end[end.count - 1] += 1
            let answer = try await v3(
                "/v3/kv/range", ["key": Self.base64(prefix), "range_end": Data(end).base64EncodedString()])
            for kv in (answer as? [String: Any])?["kvs"] as? [[String: Any]] ?? [] {
                guard let key = (kv["key"] as? String).flatMap(Self.decode), let value = (kv["value"] as? String).flatMap(Self.decode)
                else { continue }
                values[key] = value
            }
        }
        return values
    }

    /// The revision (v2: index) at which the key was created, or nil when it is absent.
    func createdRevision(_ api: EtcdAPI, _ key: String) async throws -> Int? {
        switch api {
        case .v2:
            let answer = try await curl([endpoint + "/v2/keys" + key], allowing: [404])
            return ((answer as? [String: Any])?["node"] as? [String: Any])?["createdIndex"] as? Int
        case .v3:
            let answer = try await v3("/v3/kv/range", ["key": Self.base64(key)])
            // the JSON gateway writes int64 values as strings
            let kv = ((answer as? [String: Any])?["kvs"] as? [[String: Any]])?.first
            return (kv?["create_revision"] as? String).flatMap { Int($0) }
        }
    }

    /// Seconds left before the key expires (v2 its `ttl`, v3 its lease's), or nil when it is
    /// absent or never expires.
    func ttl(_ api: EtcdAPI, _ key: String) async throws -> Int? {
        switch api {
        case .v2:
            let answer = try await curl([endpoint + "/v2/keys" + key], allowing: [404])
            return ((answer as? [String: Any])?["node"] as? [String: Any])?["ttl"] as? Int
        case .v3:
            let answer = try await v3("/v3/kv/range", ["key": Self.base64(key)])
            let kv = ((answer as? [String: Any])?["kvs"] as? [[String: Any]])?.first
            guard let lease = kv?["lease"] as? String else { return nil }
            let live = try await v3("/v3/lease/timetolive", ["ID": lease])
            return ((live as? [String: Any])?["TTL"] as? String).flatMap { Int($0) }
        }
    }

    // MARK: curl

    private func v3(_ path: String, _ body: [String: String]) async throws -> Any? {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        return try await curl(["-X", "POST", endpoint + path, "-d", json])
    }

    /// `curl -sS` with the HTTP status appended, parsed as JSON; a status other than 2xx or
    /// `allowing` throws with etcd's answer.
    private func curl(_ arguments: [String], allowing: Set<Int> = []) async throws -> Any? {
        let result = try await HostCommand.run("/usr/bin/curl", ["-sS", "-m", "5", "-w", "\n%{http_code}"] + arguments)
        guard result.succeeded else { throw HostCommand.Failure(result: result) }
        var lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.popLast() ?? "") ?? 0
        let body = lines.joined(separator: "\n")
        guard (200..<300).contains(status) || allowing.contains(status) else {
            throw TestEnvironmentError("etcd answered \(status) to curl \(arguments.joined(separator: " ")): \(body)")
        }
        return try? JSONSerialization.jsonObject(with: Data(body.utf8))
    }

    private static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
    private static func decode(_ base64: String) -> String? {
        Data(base64Encoded: base64).map { String(decoding: $0, as: UTF8.self) }
    }
}
