import Foundation
import KubeAPI
import Logging

/// Sets up and refreshes a pod's secret, configMap, downwardAPI and projected volumes under
/// `<stateDirectory>/pods/<uid>/volumes/<plugin>/<name>` (kubelet's layout): fetches what the
/// volumes refer to, lets ``VolumePayloadPlanner`` decide the files and writes them with the
/// ``AtomicWriter``. Runs on every pod sync, so object changes and token renewals reach running
/// containers within a resync.
public actor PodVolumeManager {
    /// The outcome for one pod.
    public struct SetUp: Sendable {
        /// Host directory by volume name, for every volume whose files are in place (also when
        /// this sync could not refresh them: containers keep the last good payload).
        public var paths: [String: String] = [:]
        /// Volumes whose files could not be produced; a container mounting one does not start.
        public var failures: [VolumeSetUpError] = []
    }

    private let stateDirectory: String
    private let source: any PodObjectSource
    public let tokens: ServiceAccountTokenManager
    private let logger: Logger
    private let now: @Sendable () -> Date

    public init(
        stateDirectory: String, source: any PodObjectSource, logger: Logger, now: @escaping @Sendable () -> Date = { Date() },
        tokens: ServiceAccountTokenManager? = nil
    ) {
        self.stateDirectory = stateDirectory
        self.source = source
        self.logger = logger
        self.now = now
        self.tokens = tokens ?? ServiceAccountTokenManager(source: source, logger: logger, now: now)
    }

    /// The host directory of a volume of a pod.
    public func directory(podUID: String, volume: String, kind: VolumePayloadPlanner.Kind) -> String {
        "\(stateDirectory)/pods/\(podUID)/volumes/\(kind.rawValue)/\(volume)"
    }

    /// Writes (or refreshes) every API-data volume of `pod`.
    public func setUp(pod: Pod, downward: DownwardAPI) async -> SetUp {
        var result = SetUp()
        let planner = VolumePayloadPlanner(downward: downward)
        let uid = pod.metadata.uid ?? ""
        for volume in pod.spec.volumes ?? [] {
            guard let kind = VolumePayloadPlanner.kind(of: volume), let name = volume.name else { continue }
            let directory = directory(podUID: uid, volume: name, kind: kind)
            let (objects, problems) = await fetch(VolumePayloadPlanner.references(of: volume), pod: pod)
            do throws(VolumeSetUpError) {
                if let problem = problems.first { throw VolumeSetUpError(volume: name, detail: problem) }
                let payload = try planner.payload(for: volume, pod: pod, objects: objects)
                do {
                    if try AtomicWriter(targetDirectory: directory, now: now).write(payload) {
                        logger.debug("volume written", metadata: ["pod.uid": "\(uid)", "volume": "\(name)", "volume.files": "\(payload.count)"])
                    }
                } catch {
                    throw VolumeSetUpError(volume: name, detail: "\(error)")
                }
                result.paths[name] = directory
            } catch {
                // A `..data` link means a payload was written once (also by an agent that ran
                // before this one), which stays mounted when a refresh fails.
                if FileManager.default.fileExists(atPath: "\(directory)/\(AtomicWriter.dataDirectoryName)") {
                    // Kubelet keeps the last payload when a refresh fails: running containers
                    // keep their files, and new ones of the pod may still start with them.
                    result.paths[name] = directory
                    logger.warning("cannot refresh volume, keeping its files: \(error)", metadata: ["pod.uid": "\(uid)"])
                } else {
                    result.failures.append(error)
                }
            }
        }
        return result
    }

    /// Fetches the objects a pod's volumes or environment refer to.
    /// - Returns: the objects found, and one message per object that could not be read (a
    ///   missing object is not a problem here: planners decide about it).
    public func fetch(_ references: PodObjectReferences, pod: Pod) async -> (PodObjects, [String]) {
        let namespace = pod.metadata.namespace ?? "default"
        var objects = PodObjects()
        var problems: [String] = []
        for name in references.secrets.sorted() {
            do {
                if let secret = try await source.secret(namespace: namespace, name: name) { objects.secrets[name] = secret }
            } catch {
                problems.append("cannot read secret \"\(name)\": \(error)")
            }
        }
        for name in references.configMaps.sorted() {
            do {
                if let configMap = try await source.configMap(namespace: namespace, name: name) { objects.configMaps[name] = configMap }
            } catch {
                problems.append("cannot read configmap \"\(name)\": \(error)")
            }
        }
        for projection in references.tokens {
            do {
                objects.tokens[projection] = try await tokens.token(for: projection, pod: pod)
            } catch {
                problems.append("\(error)")
            }
        }
        return (objects, problems)
    }

    /// Forgets a removed pod's tokens (its directories go with the pod's).
    public func forget(podUID: String) async {
        await tokens.forget(podUID: podUID)
    }
}
