/// Interactive streams into containers, as `kubectl exec` and `kubectl attach` need them: the
/// engine's hijacked exec and attach connections, terminal resize and the exit code.
///
/// Kept apart from ``DockerEngine`` so that pod sync's fakes need not grow; ``DockerClient``
/// implements both.
public protocol ContainerStreaming: Sendable {
    /// Creates an exec of `command` in the container and starts it attached.
    /// - Returns: the exec's ID (for resize and its exit code) and its open stream.
    /// - Throws: ``DockerError`` when the container is unknown or not running (HTTP 404/409) or
    ///   the engine cannot be reached.
    func startExec(containerID: String, command: [String], streams: ContainerStreamOptions) async throws(DockerError)
        -> (execID: String, stream: any ContainerStream)

    /// Attaches to the container's main process.
    func attachContainer(containerID: String, streams: ContainerStreamOptions) async throws(DockerError) -> any ContainerStream

    /// Sets the terminal size of a tty exec.
    func resizeExec(execID: String, width: Int, height: Int) async throws(DockerError)

    /// Sets the terminal size of a tty container (attach).
    func resizeContainer(containerID: String, width: Int, height: Int) async throws(DockerError)

    /// The state of an exec: whether it still runs and its exit code once it ended.
    func inspectExec(execID: String) async throws(DockerError) -> ExecState
}

/// Which standard streams to attach, and whether the process has a terminal (then stdout and
/// stderr arrive as one raw stream, else as the engine's multiplexed frames).
public struct ContainerStreamOptions: Sendable, Hashable {
    public var stdin: Bool
    public var stdout: Bool
    public var stderr: Bool
    public var tty: Bool

    public init(stdin: Bool, stdout: Bool, stderr: Bool, tty: Bool) {
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.tty = tty
    }
}

/// How an exec stands: `exitCode` is meaningful once `running` is false.
public struct ExecState: Sendable, Hashable {
    public var running: Bool
    public var exitCode: Int?

    public init(running: Bool, exitCode: Int?) {
        self.running = running
        self.exitCode = exitCode
    }
}

/// One chunk a container's process wrote.
public enum ContainerOutput: Sendable, Hashable {
    case stdout([UInt8])
    case stderr([UInt8])
}

/// An open, bidirectional stream to a process in a container.
public protocol ContainerStream: Sendable {
    /// Writes to the process's stdin.
    func writeStdin(_ bytes: [UInt8]) async throws
    /// Ends the process's stdin (the engine closes it once the connection's write side closes).
    func closeStdin()
    /// The next output chunk; nil when the process closed its output (it ended or detached).
    func readOutput() async throws -> ContainerOutput?
    /// Closes the connection.
    func close()
}
