import Logging

/// Records events as log entries, with the pod and container as metadata.
public struct LoggingEventRecorder: EventRecorder {
    private let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public func record(_ event: PodEvent) {
        var metadata: Logger.Metadata = [
            "pod.namespace": "\(event.podNamespace)", "pod.name": "\(event.podName)", "pod.uid": "\(event.podUID)",
            "event.reason": "\(event.reason)",
        ]
        if let container = event.container { metadata["container.name"] = "\(container)" }
        let level: Logger.Level = event.kind == .warning ? .warning : .info
        logger.log(level: level, "\(event.reason): \(event.message)", metadata: metadata)
    }
}
