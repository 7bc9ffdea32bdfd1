import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process through posix_spawn and waitpid. Foundation's `Process` on Linux reaps its
/// children from a run-loop thread, and was seen to miss an exit and wait forever; this is all
/// the benchmark needs and has no such thread.
enum Subprocess {
    struct Failure: Error, CustomStringConvertible {
        var operation: String
        var errno: Int32
        var description: String { "\(operation): \(String(cString: strerror(errno)))" }
    }

    struct Result {
        var status: Int32
        /// Standard output and standard error, merged.
        var output: Data
    }

    /// Runs `arguments[0]` with `input` on its standard input (or /dev/null), collects its output.
    static func run(_ arguments: [String], input: Data? = nil) throws -> Result {
        var outputPipe: [Int32] = [0, 0]
        var inputPipe: [Int32] = [-1, -1]
        guard pipe(&outputPipe) == 0 else { throw Failure(operation: "pipe", errno: errno) }
        if input != nil, pipe(&inputPipe) != 0 { throw Failure(operation: "pipe", errno: errno) }
        defer {
            close(outputPipe[0])
            if inputPipe[1] >= 0 { close(inputPipe[1]) }
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if input != nil {
            posix_spawn_file_actions_adddup2(&actions, inputPipe[0], 0)
            posix_spawn_file_actions_addclose(&actions, inputPipe[1])
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 2)
        posix_spawn_file_actions_addclose(&actions, outputPipe[0])

        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, arguments[0], &actions, nil, &argv, environ)
        close(outputPipe[1])
        if input != nil { close(inputPipe[0]) }
        guard rc == 0 else { throw Failure(operation: "posix_spawn \(arguments[0])", errno: rc) }

        // Feed stdin from a thread while this one drains the output: either could fill a pipe.
        guard let input else { return try collect(pid: pid, from: outputPipe[0]) }
        let fd = inputPipe[1]
        inputPipe[1] = -1
        let fed = DispatchSemaphore(value: 0)
        Thread {
            input.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        break  // the child went away; its status tells why
                    }
                    offset += written
                }
            }
            close(fd)
            fed.signal()
        }.start()
        defer { fed.wait() }
        return try collect(pid: pid, from: outputPipe[0])
    }

    private static func collect(pid: pid_t, from fd: Int32) throws -> Result {
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(operation: "read", errno: errno)
            }
            if count == 0 { break }
            output.append(buffer, count: count)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw Failure(operation: "waitpid", errno: errno) }
        }
        // WIFEXITED / WEXITSTATUS are macros Swift does not import.
        let exited = status & 0x7f == 0
        return Result(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), output: output)
    }
}
