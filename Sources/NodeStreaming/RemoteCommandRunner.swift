import DockerEngine
import Synchronization

/// What the client sends during an exec or attach, whatever the transport.
enum ClientEvent: Sendable, Hashable {
    case stdin([UInt8])
    case stdinClosed
    case resize(TerminalSize)
}

/// The process's output channels.
enum OutputChannel: Sendable, Hashable {
    case stdout
    case stderr
}

/// The exec or attach that a session runs.
enum RemoteCommandTarget: Sendable, Hashable {
    case exec(containerID: String, command: [String])
    case attach(containerID: String)
}

/// Runs one exec or attach between the client's events and the engine's hijacked stream, for
/// both transports: stdin and resize in, stdout and stderr out, the outcome at the end.
struct RemoteCommandRunner: Sendable {
    let containers: any ContainerStreaming
    let target: RemoteCommandTarget
    let streams: ContainerStreamOptions
    let idleTimeout: Duration
    /// How often and how many times the exec's state is read after its stream ended, for a
    /// process the engine still reports running (dockershim: 5 tries).
    var exitPollInterval: Duration = .milliseconds(100)
    var exitPollTries = 30

    /// - Parameters:
    ///   - events: ends when the client went away; the session then ends too.
    ///   - write: sends output to the client.
    /// - Returns: how the command ended; nil when the client went away or the connection was
    ///   idle too long (nothing is left to tell).
    func run(
        events: AsyncStream<ClientEvent>, activity: ActivityClock,
        write: @escaping @Sendable (OutputChannel, [UInt8]) async throws -> Void
    ) async -> RemoteCommandOutcome? {
        let stream: any ContainerStream
        var execID: String?
        do {
            switch target {
            case let .exec(containerID, command):
                (execID, stream) = try await containers.startExec(containerID: containerID, command: command, streams: streams)
            case let .attach(containerID):
                stream = try await containers.attachContainer(containerID: containerID, streams: streams)
            }
        } catch {
            switch target {
            case .exec: return .failure("error executing command in container: \(error)")
            case .attach: return .failure("error attaching to container: \(error)")
            }
        }
        defer { stream.close() }
        let startedExecID = execID

        enum Ended { case output(error: String?), clientGone, idle }
        let ended: Ended = await withTaskGroup(of: Ended.self) { group in
            group.addTask {
                do {
                    while let output = try await stream.readOutput() {
                        activity.touch()
                        switch output {
                        case .stdout(let bytes): try await write(.stdout, bytes)
                        case .stderr(let bytes): try await write(.stderr, bytes)
                        }
                    }
                    return .output(error: nil)
                } catch is CancellationError {
                    return .clientGone
                } catch {
                    return .output(error: "\(error)")
                }
            }
            group.addTask {
                for await event in events {
                    activity.touch()
                    switch event {
                    case .stdin(let bytes): try? await stream.writeStdin(bytes)
                    case .stdinClosed: stream.closeStdin()
                    case .resize(let size): await resize(size, execID: startedExecID)
                    }
                }
                return Task.isCancelled ? .output(error: nil) : .clientGone
            }
            group.addTask {
                await activity.waitUntilIdle(for: idleTimeout)
                return Task.isCancelled ? .output(error: nil) : .idle
            }
            let first = await group.next() ?? .clientGone
            group.cancelAll()
            return first
        }
        switch ended {
        case .clientGone, .idle:
            return nil
        case .output(let error?):
            return .failure(error)
        case .output(nil):
            guard let startedExecID else { return .success }
            return await exitOutcome(execID: startedExecID)
        }
    }

    private func resize(_ size: TerminalSize, execID: String?) async {
        guard streams.tty, size.width > 0, size.height > 0 else { return }
        switch target {
        case .exec: if let execID { try? await containers.resizeExec(execID: execID, width: size.width, height: size.height) }
        case .attach(let id): try? await containers.resizeContainer(containerID: id, width: size.width, height: size.height)
        }
    }

    /// The engine closes the stream a moment before it records the exit code.
    private func exitOutcome(execID: String) async -> RemoteCommandOutcome {
        var last: ExecState?
        for attempt in 0..<exitPollTries {
            do {
                let state = try await containers.inspectExec(execID: execID)
                last = state
                if !state.running { break }
            } catch {
                return .failure("error executing command in container: \(error)")
            }
            if attempt + 1 < exitPollTries { try? await Task.sleep(for: exitPollInterval) }
        }
        guard let code = last?.exitCode, code != 0 else { return .success }
        return .exitCode(code)
    }
}

/// When a connection last carried a byte, for the idle time-out.
final class ActivityClock: Sendable {
    private let last = Mutex(ContinuousClock.now)

    func touch() {
        last.withLock { $0 = .now }
    }

    /// Returns once nothing happened for `limit`, or when cancelled.
    func waitUntilIdle(for limit: Duration) async {
        while !Task.isCancelled {
            let deadline = last.withLock { $0 } + limit
            if ContinuousClock.now >= deadline { return }
            try? await Task.sleep(until: deadline, clock: .continuous)
        }
    }
}

/// Serialises writes to a transport whose send may not be called concurrently.
actor SerialWriter<Message: Sendable> {
    private let send: @Sendable (Message) async throws -> Void
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(_ send: @escaping @Sendable (Message) async throws -> Void) {
        self.send = send
    }

    func write(_ message: Message) async throws {
        if busy {
            await withCheckedContinuation { waiters.append($0) }
        } else {
            busy = true
        }
        defer {
            if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
        }
        try await send(message)
    }
}
