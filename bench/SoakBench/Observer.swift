import BenchSupport
import DockerEngine
import Foundation
import MasterDouble
import Synchronization

/// What the engine and the agent's nftables table hold, looked at every 250 ms by one task for
/// all cycles in flight (rather than each cycle asking the engine and nft itself).
struct Snapshot: Sendable {
    /// When the look began: anything gone before then is absent from it.
    var takenAt: ContinuousClock.Instant
    /// `io.kubernetes.pod.name` of every container of the agent, whatever its state.
    var podsWithContainers: Set<String>
    /// nil when the table is not there.
    var table: ProxyTable?
}

final class Observer: Sendable {
    private let docker: DockerClient
    private let networkNamespace: String
    private let latest = Mutex<Snapshot?>(nil)
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(docker: DockerClient, networkNamespace: String) {
        self.docker = docker
        self.networkNamespace = networkNamespace
    }

    func start() {
        task.withLock {
            $0 = Task { [self] in
                while !Task.isCancelled {
                    await look()
                    try? await Task.sleep(for: .milliseconds(250))
                }
            }
        }
    }

    func stop() { task.withLock { $0?.cancel() } }

    /// One look; a failed one publishes nothing: it must not pass for "gone".
    private func look() async {
        let started = ContinuousClock.now
        let containers: [ContainerSummary]
        let table: ProxyTable?
        do {
            containers = try await docker.listContainers(labels: ["io.clc-node.node=\(nodeName)"])
            table = try await ProxyTable.list(networkNamespace: networkNamespace)
        } catch {
            return
        }
        let pods = Set(containers.compactMap { $0.labels["io.kubernetes.pod.name"] })
        latest.withLock { $0 = Snapshot(takenAt: started, podsWithContainers: pods, table: table) }
    }

    /// The first snapshot begun at or after `instant`.
    ///
    /// - Throws: `BenchError` when none comes within 60 s (the observer is stuck).
    func snapshot(after instant: ContinuousClock.Instant) async throws -> Snapshot {
        try await firstValue("a look at the engine and the table", timeout: .seconds(60), every: .milliseconds(50)) {
            latest.withLock { snapshot in snapshot.flatMap { $0.takenAt >= instant ? $0 : nil } }
        }
    }
}

/// `nft -j list table ip clc-proxy` in the agent's namespace, as a set of entries that compare
/// across listings: `chain NAME`, `set NAME`, `map NAME`, `element SET VALUE`, `rule CHAIN
/// EXPRESSIONS` (handles and counter values left out).
struct ProxyTable: Sendable {
    var entries: Set<String>
    var chains: [String]

    /// A slot of the service's cluster IP port (an element of a `cluster-backends-<n>` map).
    func hasEndpoint(clusterIP: String) -> Bool {
        entries.contains { $0.hasPrefix("element cluster-backends-") && $0.contains("\"\(clusterIP)\"") }
    }

    /// Whether any chain, element or rule names the service (`default/<name>/`), or any element
    /// holds its cluster IP or (in the NodePort sets and maps) its NodePort.
    func mentions(service: String, clusterIP: String, nodePort: Int64?) -> Bool {
        entries.contains { entry in
            entry.contains("default/\(service)/") || (entry.hasPrefix("element ") && entry.contains("\"\(clusterIP)\""))
                || (nodePort.map { entry.hasPrefix("element nodeport") && entry.contains("\($0)") } ?? false)
        }
    }

    /// nil when the table does not exist.
    static func list(networkNamespace: String) async throws -> ProxyTable? {
        let (status, output) = try await run(
            "/usr/bin/nsenter", ["--net=/run/netns/\(networkNamespace)", "--", "/usr/sbin/nft", "-j", "list", "table", "ip", proxyTable])
        guard status == 0 else { return nil }
        return try parse(output)
    }

    static func parse(_ json: Data) throws -> ProxyTable {
        let document = try JSONValue.parse(json)
        var entries = Set<String>()
        var chains: [String] = []
        for item in document["nftables"]?.arrayValue ?? [] {
            if let chain = item["chain"], let name = chain["name"]?.stringValue {
                chains.append(name)
                entries.insert("chain \(name)")
            } else if let set = item["set"] ?? item["map"], let name = set["name"]?.stringValue {
                entries.insert("\(item["set"] == nil ? "map" : "set") \(name)")
                for element in set["elem"]?.arrayValue ?? [] {
                    entries.insert("element \(name) \(withoutCounters(element).text)")
                }
            } else if let rule = item["rule"], let chain = rule["chain"]?.stringValue {
                entries.insert("rule \(chain) \(withoutCounters(rule["expr"] ?? .null).text)")
            }
        }
        return ProxyTable(entries: entries, chains: chains)
    }

    /// The value with every `counter` object's packets and bytes (and element expiry times)
    /// dropped: they change with traffic and time, not with what the table holds.
    static func withoutCounters(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let items): return .array(items.map(withoutCounters))
        case .object(var fields):
            if fields["counter"] != nil { fields["counter"] = .null }
            fields["expires"] = nil
            return .object(fields.mapValues(withoutCounters))
        default: return value
        }
    }

    /// Runs a command to its end off the cooperative pool; its exit status and standard output.
    static func run(_ executable: String, _ arguments: [String]) async throws -> (Int32, Data) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments
                let output = Pipe()
                process.standardOutput = output
                process.standardError = FileHandle.nullDevice
                process.standardInput = FileHandle.nullDevice
                do {
                    try process.run()
                    let data = output.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    continuation.resume(returning: (process.terminationStatus, data))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
