import CurlHTTP
import Foundation

extension DockerClient {
    /// The most of an exec's raw attach stream read into memory: ``ExecResult/maxOutputBytes``
    /// of output, each byte in a frame of its own at worst (8 bytes of frame header each). The
    /// rest of the stream is read and dropped, so that the command can write on and finish.
    static let execMaxStreamBytes = ExecResult.maxOutputBytes * 9

    /// Runs `command` in the container and waits for it, at most `timeout`.
    /// - Returns: its exit code and at most ``ExecResult/maxOutputBytes`` of its output.
    public func exec(containerID: String, command: [String], timeout: Duration) async throws(DockerError) -> ExecResult {
        struct Create: Encodable {
            var AttachStdout = true
            var AttachStderr = true
            var Cmd: [String]
        }
        struct Created: Decodable { var Id: String }
        struct Start: Encodable {
            var Detach = false
            var Tty = false
        }
        struct Inspect: Decodable {
            var Running: Bool
            var ExitCode: Int?
            var Pid: Int?
            var ContainerID: String?
        }
        let operation = "exec \(command) in \(containerID.prefix(12))"
        let created = try await call(
            operation, "POST", "/containers/\(containerID)/exec", body: try encode(Create(Cmd: command), operation: operation))
        let execID = try decode(Created.self, from: created, operation: operation).Id

        let prefix = try await apiPrefix()
        var start = HTTPRequest.json(
            "POST", prefix + "/exec/\(execID)/start", body: try encode(Start(), operation: operation), timeout: timeout)
        start.bodyLimit = BodyLimit(bytes: Self.execMaxStreamBytes, overflow: .discard)
        let output: HTTPResponse
        do {
            output = try await slowTransport.send(start)
        } catch HTTPError.timedOut {
            // Docker's exec has no timeout of its own: end the process, or it runs on.
            // Only a running exec's PID, and only while that PID is a process of the container:
            // an exec that ended meanwhile left a PID the host may have given to anything.
            if let inspect = try? await call(operation, "GET", "/exec/\(execID)/json"),
                let state = try? decode(Inspect.self, from: inspect, operation: operation), state.Running,
                let pid = state.Pid, pid > 0, let container = state.ContainerID ?? Optional(containerID)
            {
                Self.killExecProcess(pid: pid_t(pid), containerID: container)
            }
            throw .execTimedOut(containerID: containerID, command: command, after: timeout)
        } catch let error as HTTPError {
            throw .transport(operation: operation, error)
        } catch {
            throw .transport(operation: operation, .transport(request: operation, code: -1, message: "\(error)"))
        }
        guard output.status == 200 || output.status == 101 else {
            throw .http(operation: operation, status: output.status, message: Self.message(in: output.body))
        }
        let streams = StreamDemultiplexer.split(output.body, limit: ExecResult.maxOutputBytes)
        let inspect = try await call(operation, "GET", "/exec/\(execID)/json")
        let state = try decode(Inspect.self, from: inspect, operation: operation)
        return ExecResult(exitCode: state.ExitCode ?? -1, stdout: streams.stdout, stderr: streams.stderr)
    }

    /// SIGKILLs `pid` if it still belongs to the container: its `/proc/<pid>/cgroup` names the
    /// container's full ID (cgroup v1 `/docker/<id>`, v2 `docker-<id>.scope`). The residual
    /// window (the exec ends and the host reuses its PID between that read and the kill) is a
    /// few microseconds and needs a full PID wrap-around; a pidfd would close it, but
    /// `pidfd_open` is only reachable through `syscall(2)`, which Swift cannot call.
    static func killExecProcess(pid: pid_t, containerID: String) {
        guard containerID.count == 64, let cgroup = try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8),
            cgroup.contains(containerID)
        else { return }
        kill(pid, SIGKILL)
    }
}
