import CurlHTTP
import Foundation

/// Hijacked exec and attach streams (the engine's `Upgrade: tcp`), through a ``RawConnection``
/// of their own to the engine's endpoint: a stream lives as long as the user's session.
extension DockerClient: ContainerStreaming {
    public func startExec(containerID: String, command: [String], streams: ContainerStreamOptions) async throws(DockerError)
        -> (execID: String, stream: any ContainerStream)
    {
        struct Create: Encodable {
            var AttachStdin: Bool
            var AttachStdout: Bool
            var AttachStderr: Bool
            var Tty: Bool
            var Cmd: [String]
        }
        struct Created: Decodable { var Id: String }
        struct Start: Encodable {
            var Detach = false
            var Tty: Bool
        }
        let operation = "exec \(command) in \(containerID.prefix(12))"
        let create = Create(
            AttachStdin: streams.stdin, AttachStdout: streams.stdout, AttachStderr: streams.stderr, Tty: streams.tty,
            Cmd: command)
        let created = try await call(
            operation, "POST", "/containers/\(containerID)/exec", body: try encode(create, operation: operation))
        let execID = try decode(Created.self, from: created, operation: operation).Id
        let stream = try await hijack(
            operation, path: "/exec/\(execID)/start", body: try encode(Start(Tty: streams.tty), operation: operation),
            tty: streams.tty)
        return (execID, stream)
    }

    public func attachContainer(containerID: String, streams: ContainerStreamOptions) async throws(DockerError)
        -> any ContainerStream
    {
        let operation = "attach to \(containerID.prefix(12))"
        let flag = { (on: Bool) in on ? "1" : "0" }
        let query = Self.query([
            ("stream", "1"), ("stdin", flag(streams.stdin)), ("stdout", flag(streams.stdout)), ("stderr", flag(streams.stderr)),
        ])
        return try await hijack(operation, path: "/containers/\(containerID)/attach\(query)", body: nil, tty: streams.tty)
    }

    public func resizeExec(execID: String, width: Int, height: Int) async throws(DockerError) {
        try await call(
            "resize exec \(execID.prefix(12))", "POST", "/exec/\(execID)/resize" + Self.query([("h", "\(height)"), ("w", "\(width)")]),
            accepted: [200, 201])
    }

    public func resizeContainer(containerID: String, width: Int, height: Int) async throws(DockerError) {
        try await call(
            "resize \(containerID.prefix(12))", "POST",
            "/containers/\(containerID)/resize" + Self.query([("h", "\(height)"), ("w", "\(width)")]), accepted: [200, 201])
    }

    public func inspectExec(execID: String) async throws(DockerError) -> ExecState {
        struct Inspect: Decodable {
            var Running: Bool
            var ExitCode: Int?
        }
        let operation = "inspect exec \(execID.prefix(12))"
        let response = try await call(operation, "GET", "/exec/\(execID)/json")
        let inspect = try decode(Inspect.self, from: response, operation: operation)
        return ExecState(running: inspect.Running, exitCode: inspect.ExitCode)
    }

    /// Opens a connection of its own, sends the request with `Connection: Upgrade` and
    /// `Upgrade: tcp`, and hands over the connection once the engine answered 101 (or 200, as
    /// engines before API 1.42 may).
    private func hijack(_ operation: String, path: String, body: [UInt8]?, tty: Bool) async throws(DockerError)
        -> any ContainerStream
    {
        guard let endpoint = (transport as? CurlTransport)?.endpoint else {
            throw .transport(
                operation: operation,
                .transport(request: operation, code: -1, message: "hijacked streams need a CurlTransport to the engine"))
        }
        let prefix = try await apiPrefix()
        var headers = [HTTPHeader("Connection", "Upgrade"), HTTPHeader("Upgrade", "tcp")]
        if body != nil { headers.append(HTTPHeader("Content-Type", "application/json")) }
        let request = HTTPRequest(method: "POST", path: prefix + path, headers: headers, body: body ?? [], timeout: .seconds(30))
        let connection: RawConnection
        let head: HTTPResponseHead
        do {
            connection = try await RawConnection.connect(to: endpoint)
            do {
                head = try await connection.upgrade(request)
            } catch {
                connection.close()
                throw error
            }
        } catch let error as HTTPError {
            throw .transport(operation: operation, error)
        } catch {
            throw .transport(operation: operation, .transport(request: operation, code: -1, message: "\(error)"))
        }
        guard head.status == 101 || head.status == 200 else {
            // An error answer is a plain response: read its body (Content-Length) for the message.
            let message = await Self.errorBody(head, connection: connection)
            connection.close()
            throw .http(operation: operation, status: head.status, message: message)
        }
        return DockerHijackedStream(connection: connection, tty: tty, leftover: head.leftover)
    }

    private static func errorBody(_ head: HTTPResponseHead, connection: RawConnection) async -> String {
        var body = head.leftover
        let length = head.header("content-length").flatMap(Int.init) ?? 4096
        while body.count < min(length, 65_536), let chunk = try? await connection.receive() { body += chunk }
        return message(in: body)
    }
}
