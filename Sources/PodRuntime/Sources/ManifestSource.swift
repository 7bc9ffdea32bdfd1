import Foundation
import KubeAPI
import Logging
import ServiceLifecycle

/// Pods and services from a directory of manifests (kubelet's `--pod-manifest-path`): JSON or
/// YAML files holding pods, lists, replication controllers and services. The directory is
/// scanned when inotify reports a change in it, and at least every `interval` (2 s when inotify
/// works); a file is read again only when its size or modification time changed, and a snapshot
/// is delivered only when the result changed.
///
/// Only regular files of at most `maxFileBytes` (1 MiB) are read, after following symlinks
/// (``ManifestFile``); any other file is a problem named for that file, and the others keep
/// working.
public struct ManifestSource: ServiceLifecycle.Service {
    private let directory: String
    private let interval: Duration
    private let expander: ManifestExpander
    private let allocator: ClusterIPAllocator
    private let maxFileBytes: Int
    private let logger: Logger
    private let deliver: @Sendable (ManifestSnapshot) async -> Void

    /// - Parameters:
    ///   - deliver: receives each new snapshot (the first one even when the directory is empty).
    public init(
        directory: String, nodeName: String, serviceRange: ClusterIPAllocator,
        nodePortRange: ClosedRange<Int32> = Service.defaultNodePortRange, interval: Duration = .milliseconds(500),
        maxPods: Int = NodeCapacity.defaultMaxPods, maxFileBytes: Int = ManifestFile.defaultMaxBytes,
        logger: Logger, deliver: @escaping @Sendable (ManifestSnapshot) async -> Void
    ) {
        self.directory = directory
        self.interval = interval
        self.maxFileBytes = maxFileBytes
        self.expander = ManifestExpander(nodeName: nodeName, nodePortRange: nodePortRange, maxPods: maxPods)
        self.allocator = serviceRange
        self.logger = logger
        self.deliver = deliver
    }

    public func run() async throws {
        let (changes, notify) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let watcher = DirectoryWatcher()
        let watching = watcher.start(directory: directory) { notify.yield() }
        defer { watcher.stop() }
        // With inotify the scan is a safety net; without it, the only way to see changes.
        let interval = watching ? max(self.interval, .seconds(2)) : self.interval
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                notify.yield()
            }
        }
        defer { ticker.cancel() }
        await cancelWhenGracefulShutdown {
            var scanner = Scanner(directory: directory, expander: expander, allocator: allocator, maxFileBytes: maxFileBytes, logger: logger)
            var last: ManifestSnapshot?
            func rescan() async {
                let snapshot = scanner.scan()
                if snapshot != last {
                    last = snapshot
                    await deliver(snapshot)
                }
            }
            await rescan()
            for await _ in changes {
                await rescan()
            }
        }
    }

    /// One scan of the directory; remembers file signatures between scans.
    public struct Scanner: Sendable {
        private struct FileState: Sendable {
            var signature: String
            var result: ManifestExpander.Result
            var problem: String?
        }

        let directory: String
        let expander: ManifestExpander
        let allocator: ClusterIPAllocator
        /// The largest manifest file read (``ManifestFile/defaultMaxBytes``).
        let maxFileBytes: Int
        let logger: Logger
        private var files: [String: FileState] = [:]
        private var directoryProblem: String?
        /// Services left without a cluster IP, as last logged.
        private var allocationProblems: [String: String] = [:]
        /// Services refused for their cluster IP, by file, as last logged.
        private var rejectedServices: [String: String] = [:]

        public init(
            directory: String, expander: ManifestExpander, allocator: ClusterIPAllocator, maxFileBytes: Int = ManifestFile.defaultMaxBytes,
            logger: Logger
        ) {
            self.directory = directory
            self.expander = expander
            self.allocator = allocator
            self.maxFileBytes = maxFileBytes
            self.logger = logger
        }

        public mutating func scan() -> ManifestSnapshot {
            let manager = FileManager.default
            let names: [String]
            do {
                names = try manager.contentsOfDirectory(atPath: directory).sorted()
                if directoryProblem != nil { logger.notice("manifest directory \(directory) is readable again") }
                directoryProblem = nil
            } catch {
                let problem = "cannot read manifest directory \(directory): \(error.localizedDescription)"
                if directoryProblem != problem { logger.error("\(problem)") }
                directoryProblem = problem
                // Keep what was there: an unreadable directory must not stop running pods.
                return assemble()
            }
            var seen = Set<String>()
            for name in names where Self.isManifest(name) {
                let path = directory + "/" + name
                seen.insert(path)
                // stat follows a symlink: its target's type, size and time decide.
                let status: ManifestFile.Status
                do {
                    status = try ManifestFile.status(path)
                } catch {
                    // A dangling symlink, or a file removed since the listing.
                    let signature = "unreadable"
                    if files[path]?.signature == signature { continue }
                    files[path] = refuse(error, signature: signature)
                    continue
                }
                let signature = status.signature
                if files[path]?.signature == signature { continue }
                do {
                    try ManifestFile.check(status, path: path, maxBytes: maxFileBytes)
                } catch {
                    files[path] = refuse(error, signature: signature)
                    continue
                }
                files[path] = read(path, signature: signature)
            }
            for path in files.keys where !seen.contains(path) {
                logger.info("manifest removed", metadata: ["file": "\(path)"])
                files[path] = nil
            }
            return assemble()
        }

        /// A file that is not read at all: said once, until the file changes.
        private func refuse(_ error: ManifestFileError, signature: String) -> FileState {
            logger.error("manifest refused: \(error)", metadata: ["file": "\(error.path)"])
            return FileState(signature: signature, result: .init(), problem: "\(error)")
        }

        private func read(_ path: String, signature: String) -> FileState {
            let data: Data
            do {
                data = try ManifestFile.read(path, maxBytes: maxFileBytes)
            } catch {
                return refuse(error, signature: signature)
            }
            do {
                let objects = try ManifestDecoder.decode(data, source: path)
                let result = expander.expand(objects, path: path)
                for problem in result.problems {
                    logger.error("manifest rejected: \(problem)", metadata: ["file": "\(path)"])
                }
                logger.info(
                    "manifest read", metadata: ["file": "\(path)", "pods": "\(result.pods.count)", "services": "\(result.services.count)"])
                return FileState(signature: signature, result: result, problem: result.problems.first)
            } catch {
                logger.error("manifest not usable: \(error)", metadata: ["file": "\(path)"])
                return FileState(signature: signature, result: .init(), problem: "\(error)")
            }
        }

        private mutating func assemble() -> ManifestSnapshot {
            var snapshot = ManifestSnapshot()
            var podNames = Set<String>()
            var requestedIPs = Set<String>()
            var rejected: [String: String] = [:]
            for path in files.keys.sorted() {
                guard let state = files[path] else { continue }
                for pod in state.result.pods {
                    let key = "\(pod.metadata.namespace ?? "default")/\(pod.metadata.name ?? "")"
                    if podNames.insert(key).inserted {
                        snapshot.pods.append(pod)
                    } else {
                        snapshot.problems[path] = "pod \(key) is defined in another file too; the first one counts"
                    }
                }
                if let problem = state.problem { snapshot.problems[path] = problem }
                // A cluster IP the service names must be inside the service range and not
                // another's, as the API server's allocator insists.
                for service in state.result.services {
                    let key = "\(service.metadata.namespace ?? "default")/\(service.metadata.name ?? "")"
                    if let requested = service.spec.clusterIP, !requested.isEmpty, requested != "None" {
                        var detail: String?
                        if !allocator.contains(requested) {
                            detail = "provided IP is not in the valid range. The range of valid IPs is \(IPv4.format(allocator.network))/\(allocator.prefixLength)"
                        } else if !requestedIPs.insert(requested).inserted {
                            detail = "provided IP is already allocated"
                        }
                        if let detail {
                            rejected[path] = "service \(key): spec.clusterIP: Invalid value: \"\(requested)\": \(detail)"
                            snapshot.problems[path] = rejected[path]
                            continue
                        }
                    }
                    snapshot.services.append(service)
                }
            }
            let keys = snapshot.services.map { service in
                (key: "\(service.metadata.namespace ?? "default")/\(service.metadata.name ?? "")", requested: service.spec.clusterIP.flatMap { $0.isEmpty || $0 == "None" ? nil : $0 })
            }
            let (assigned, exhausted) = allocator.assign(keys)
            for index in snapshot.services.indices where snapshot.services[index].spec.clusterIP != "None" {
                snapshot.services[index].spec.clusterIP = assigned[keys[index].key]
            }
            var problems: [String: String] = [:]
            for (key, error) in exhausted {
                let path = files.keys.sorted().first { path in
                    files[path]?.result.services.contains { "\($0.metadata.namespace ?? "default")/\($0.metadata.name ?? "")" == key } == true
                }
                problems[path ?? key] = "\(error)"
                snapshot.problems[path ?? key] = "\(error)"
            }
            // Said once, not on every scan: the service runs without a cluster IP meanwhile.
            for (path, problem) in problems where allocationProblems[path] != problem {
                logger.error("service without a cluster IP: \(problem)", metadata: ["file": "\(path)"])
            }
            allocationProblems = problems
            for (path, problem) in rejected where rejectedServices[path] != problem {
                logger.error("manifest service rejected: \(problem)", metadata: ["file": "\(path)"])
            }
            rejectedServices = rejected
            return snapshot
        }

        static func isManifest(_ name: String) -> Bool {
            guard !name.hasPrefix(".") else { return false }
            return name.hasSuffix(".json") || name.hasSuffix(".yaml") || name.hasSuffix(".yml")
        }
    }
}
