import DockerEngine
import Foundation
import KubeAPI
import PodRuntime

/// Serves `GET /containerLogs/{namespace}/{pod}/{container}` as kubelet does: finds the
/// container instance the options ask for (the current one, or with `previous` the one before
/// it) and streams its output from the engine, filtered and cut as the options say.
public struct ContainerLogsService: Sendable {
    private let pods: any LogPodDirectory
    private let source: any ContainerLogSource
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - pods: the node's pods.
    ///   - source: the engine's log output.
    ///   - now: the clock `sinceSeconds` counts back from.
    public init(pods: any LogPodDirectory, source: any ContainerLogSource, now: @escaping @Sendable () -> Date = Date.init) {
        self.pods = pods
        self.source = source
        self.now = now
    }

    /// The log stream, or why there is none.
    /// - Parameter query: the request's query parameters (v1 PodLogOptions).
    public func openLogs(namespace: String, pod name: String, container: String, query: [String: [String]]) async
        -> Result<AsyncThrowingStream<[UInt8], any Error>, LogRequestError>
    {
        let options: PodLogOptions
        do {
            options = try PodLogOptions(query: query)
        } catch {
            return .failure(error)
        }
        guard let (pod, status, observed) = await pods.pod(namespace: namespace, name: name) else {
            return .failure(LogRequestError(status: 404, message: "pod \"\(name)\" does not exist"))
        }
        let specs = pod.spec.containers + (pod.spec.initContainers ?? [])
        guard let spec = specs.first(where: { $0.name == container }) else {
            return .failure(LogRequestError(status: 404, message: "container \"\(container)\" not found in pod \"\(name)\""))
        }
        let instances = observed.instances(of: container).sorted { $0.createdAt < $1.createdAt }
        let chosen: ObservedContainer
        let waiting = (status?.containerStatuses ?? []).first { $0.name == container }?.state?.waiting != nil
        if options.previous {
            // kubelet reads lastState.terminated: the instance before the running one, or, while
            // the container waits to be restarted (CrashLoopBackOff), the one that just ended.
            let candidate: ObservedContainer? =
                if let latest = instances.last, waiting, !latest.isRunning { latest } else { instances.dropLast().last }
            guard let candidate else {
                return .failure(
                    LogRequestError(status: 400, message: "previous terminated container \"\(container)\" in pod \"\(name)\" not found"))
            }
            chosen = candidate
        } else {
            guard let latest = instances.last else {
                let reason = Self.waitingReason(status: status, container: container) ?? "ContainerCreating"
                return .failure(
                    LogRequestError(status: 400, message: "container \"\(container)\" in pod \"\(name)\" is waiting to start: \(reason)"))
            }
            chosen = latest
        }
        return .success(stream(of: chosen.id, tty: spec.tty ?? false, options: options))
    }

    private static func waitingReason(status: PodStatus?, container: String) -> String? {
        (status?.containerStatuses ?? []).first { $0.name == container }?.state?.waiting?.reason
    }

    private func stream(of id: String, tty: Bool, options: PodLogOptions) -> AsyncThrowingStream<[UInt8], any Error> {
        var docker = DockerLogOptions()
        docker.stdout = options.stream != .stderr
        docker.stderr = options.stream != .stdout
        docker.follow = options.follow
        docker.timestamps = options.timestamps
        docker.tail = options.tailLines.map(Int.init)
        if let seconds = options.sinceSeconds {
            docker.since = now().timeIntervalSince1970 - Double(seconds)
        } else if let time = options.sinceTime {
            docker.since = time.timeIntervalSince1970
        }
        let upstream = source.containerLogs(id: id, options: docker)
        let limit = options.limitBytes
        let (output, continuation) = AsyncThrowingStream.makeStream(of: [UInt8].self)
        let task = Task {
            var demultiplexer = LogStreamDemultiplexer()
            var remaining = limit ?? Int64.max
            do {
                for try await chunk in upstream {
                    let payloads = tty ? [chunk] : demultiplexer.append(chunk).map(\.payload)
                    for payload in payloads where !payload.isEmpty {
                        let piece = remaining < Int64(payload.count) ? Array(payload.prefix(Int(remaining))) : payload
                        continuation.yield(piece)
                        remaining -= Int64(piece.count)
                        // Leaving the loop ends `upstream`, which cancels the engine's transfer.
                        if remaining <= 0 { break }
                    }
                    if remaining <= 0 { break }
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return output
    }
}
