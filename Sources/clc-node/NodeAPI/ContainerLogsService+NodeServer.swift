import ContainerLogs
import NodeServer

/// The node server's `/containerLogs` is the log service.
extension ContainerLogsService: ContainerLogsProvider {
    public func logs(namespace: String, pod: String, container: String, query: [String: [String]]) async -> ContainerLogsResult {
        switch await openLogs(namespace: namespace, pod: pod, container: container, query: query) {
        case let .success(stream): .stream(stream)
        case let .failure(error): .failure(status: error.status, message: error.message)
        }
    }
}
