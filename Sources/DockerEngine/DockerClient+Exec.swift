import CurlHTTP
import Foundation

extension DockerClient {
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
        }
        let operation = "exec \(command) in \(containerID.prefix(12))"
        let created = try await call(
            operation, "POST", "/containers/\(containerID)/exec", body: try encode(Create(Cmd: command), operation: operation))
        let execID = try decode(Created.self, from: created, operation: operation).Id

        let prefix = try await apiPrefix()
        let start = HTTPRequest.json(
            "POST", prefix + "/exec/\(execID)/start", body: try encode(Start(), operation: operation), timeout: timeout)
        let output: HTTPResponse
        do {
            output = try await slowTransport.send(start)
        } catch HTTPError.timedOut {
            // Docker's exec has no timeout of its own: end the process, or it runs on.
            if let inspect = try? await call(operation, "GET", "/exec/\(execID)/json"),
                let state = try? decode(Inspect.self, from: inspect, operation: operation), let pid = state.Pid, pid > 0
            {
                kill(pid_t(pid), SIGKILL)
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
        let streams = StreamDemultiplexer.split(output.body)
        let inspect = try await call(operation, "GET", "/exec/\(execID)/json")
        let state = try decode(Inspect.self, from: inspect, operation: operation)
        return ExecResult(exitCode: state.ExitCode ?? -1, stdout: streams.stdout, stderr: streams.stderr)
    }
}
