import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a host command to completion: the thin adapter behind the few host settings the proxy
/// makes outside its own table (Docker's DOCKER-USER chain). Behind a protocol so the decisions
/// are tested with a fake.
public protocol CommandRunner: Sendable {
    /// - Returns: the exit status and what the command wrote to stderr.
    func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stderr: String)
}

/// `CommandRunner` over posix_spawn and waitpid, looking the executable up in the usual sbin and
/// bin directories. Not Foundation's `Process`: on Linux it reaps children from a run-loop
/// thread of its own, and was seen to miss an exit and wait forever.
public struct SpawnCommandRunner: CommandRunner {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var operation: String
        public var errno: Int32
        public var description: String { "\(operation): \(String(cString: strerror(errno))) (errno \(errno))" }
    }

    public init() {}

    public func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let candidates = ["/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"].map { $0 + executable }
        guard let path = candidates.first(where: { access($0, X_OK) == 0 }) else {
            throw Failure(operation: "find \(executable) in /usr/sbin, /sbin, /usr/bin, /bin", errno: ENOENT)
        }
        var errors: [Int32] = [0, 0]
        guard pipe(&errors) == 0 else { throw Failure(operation: "pipe", errno: errno) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        posix_spawn_file_actions_addclose(&actions, errors[0])
        posix_spawn_file_actions_addclose(&actions, errors[1])

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        close(errors[1])
        defer { close(errors[0]) }
        guard spawned == 0 else { throw Failure(operation: "posix_spawn \(path)", errno: spawned) }

        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(errors[0], &buffer, buffer.count)
            if count > 0 {
                output += buffer[0..<count]
            } else if count < 0, errno == EINTR {
                continue
            } else {
                break
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw Failure(operation: "waitpid \(pid)", errno: errno) }
        }
        // WIFEXITED / WEXITSTATUS, which are macros: a signal ends as 128 + its number.
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exitStatus, String(decoding: output, as: UTF8.self))
    }
}
