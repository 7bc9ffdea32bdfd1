import DockerEngine

/// Where container output comes from: the Docker engine's logs endpoint, behind a protocol so
/// that the log service can be tested with a fake.
public protocol ContainerLogSource: Sendable {
    /// The container's output, raw for a TTY container and framed (``LogStreamDemultiplexer``)
    /// otherwise; ending the stream cancels the transfer.
    func containerLogs(id: String, options: DockerLogOptions) -> AsyncThrowingStream<[UInt8], any Error>
}

extension DockerClient: ContainerLogSource {}
