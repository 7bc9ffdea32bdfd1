import Foundation

/// A command run on the host (`ip`, `nft`, `curl`), waited for on a dispatch thread so that a
/// curl waiting out its time-out does not hold one of the two cooperative threads.
enum HostCommand {
    struct Result: Sendable {
        var status: Int32
        var output: String
        var errors: String
        var elapsed: Duration
        var command: String

        var succeeded: Bool { status == 0 }
    }

    struct Failure: Error, CustomStringConvertible {
        var result: Result
        var description: String { "`\(result.command)` exited \(result.status): \(result.errors)" }
    }

    /// Runs `executable` with `arguments` and returns how it ended, whatever its status.
    static func run(_ executable: String, _ arguments: [String]) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Swift.Result { try runBlocking(executable, arguments) })
            }
        }
    }

    /// Runs the command and throws ``Failure`` unless it exits 0.
    @discardableResult
    static func check(_ executable: String, _ arguments: [String]) async throws -> String {
        let result = try await run(executable, arguments)
        guard result.succeeded else { throw Failure(result: result) }
        return result.output
    }

    /// posix_spawn and waitpid, not Foundation's `Process`: on Linux that reaps its children from
    /// a run-loop thread of its own and was seen to miss the exit of a script that had started a
    /// daemon (`dockerd.sh start`), leaving the test waiting forever beside a zombie. The sockets
    /// are close-on-exec, so a command spawned at the same time by another test cannot keep
    /// them open.
    private static func runBlocking(_ executable: String, _ arguments: [String]) throws -> Result {
        let clock = ContinuousClock()
        let start = clock.now
        let command = ([executable] + arguments).joined(separator: " ")
        var output: [Int32] = [0, 0]
        var errors: [Int32] = [0, 0]
        // Socket pairs: they can be made close-on-exec atomically (Glibc's module lacks pipe2).
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &output) == 0 else { throw SpawnFailure(operation: "socketpair", errno: errno) }
        guard socketpair(AF_UNIX, type, 0, &errors) == 0 else {
            close(output[0])
            close(output[1])
            throw SpawnFailure(operation: "socketpair", errno: errno)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        close(output[1])
        close(errors[1])
        defer {
            close(output[0])
            close(errors[0])
        }
        guard spawned == 0 else { throw SpawnFailure(operation: "posix_spawn \(executable)", errno: spawned) }

        // Both pipes at once: a command that fills one while the other is read would stall.
        var collected: [[UInt8]] = [[], []]
        var open = [true, true]
        var buffer = [UInt8](repeating: 0, count: 8192)
        while open[0] || open[1] {
            var descriptors = [
                pollfd(fd: open[0] ? output[0] : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: open[1] ? errors[0] : -1, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&descriptors, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                throw SpawnFailure(operation: "poll", errno: errno)
            }
            for index in 0..<2 where open[index] && descriptors[index].revents != 0 {
                let count = read(descriptors[index].fd, &buffer, buffer.count)
                if count > 0 {
                    collected[index] += buffer[0..<count]
                } else if count == 0 || errno != EINTR {
                    open[index] = false
                }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw SpawnFailure(operation: "waitpid \(pid)", errno: errno) }
        }
        // WIFEXITED / WEXITSTATUS are macros: a signal ends as 128 + its number.
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(
            status: exitStatus, output: String(decoding: collected[0], as: UTF8.self),
            errors: String(decoding: collected[1], as: UTF8.self), elapsed: clock.now - start, command: command)
    }

    struct SpawnFailure: Error, CustomStringConvertible {
        var operation: String
        var errno: Int32
        var description: String { "\(operation): \(String(cString: strerror(errno))) (errno \(errno))" }
    }
}
