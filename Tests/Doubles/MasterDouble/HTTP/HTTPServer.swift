import Foundation
import Synchronization

/// A small HTTP/1.1 server on 127.0.0.1 with one thread per connection, so that tests control
/// faults precisely: connections can be cut mid-stream, watches can hang, the listener can go
/// away and come back on the same port.
final class HTTPServer: Sendable {
    /// Serves one request on a connection; returns false to close the connection afterwards.
    typealias Handler = @Sendable (HTTPRequestMessage, HTTPConnection) -> Bool

    private struct State {
        var host: String
        var port: Int
        var listener: Int32?
        var accepting = false
        var acceptorDone: DispatchSemaphore?
        var connections: [Int: HTTPConnection] = [:]
        var nextConnectionID = 0
    }

    private let state: Mutex<State>
    private let handler: Handler

    /// Binds host:port (0 for an ephemeral port) and listens; connections wait in the
    /// backlog until `start()`.
    init(host: String = "127.0.0.1", port: Int, handler: @escaping Handler) throws {
        let (descriptor, actual) = try Socket.listen(host: host, port: port)
        self.state = Mutex(State(host: host, port: actual, listener: descriptor))
        self.handler = handler
    }

    var port: Int { state.withLock { $0.port } }

    var isAccepting: Bool { state.withLock { $0.accepting } }

    /// Open connections that are streaming a watch.
    var watchConnections: [HTTPConnection] {
        state.withLock { Array($0.connections.values) }.filter(\.isWatching)
    }

    /// Accepts connections (listening again on the same port after `stop()`).
    ///
    /// - Throws: `SocketCallError` when the port cannot be bound again.
    func start() throws {
        let listener: (Int32, DispatchSemaphore)? = try state.withLock { state in
            if state.accepting { return nil }
            let descriptor: Int32
            if let existing = state.listener {
                descriptor = existing
            } else {
                descriptor = try Socket.listen(host: state.host, port: state.port).descriptor
                state.listener = descriptor
            }
            state.accepting = true
            let done = DispatchSemaphore(value: 0)
            state.acceptorDone = done
            return (descriptor, done)
        }
        guard let listener else { return }
        let (descriptor, done) = listener
        let thread = Thread { [self] in
            while let client = Socket.accept(descriptor) {
                serve(client)
            }
            Socket.close(descriptor)
            done.signal()
        }
        thread.name = "master-double accept"
        thread.start()
    }

    /// Stops listening (new connections are refused) and cuts every open connection.
    func stop() {
        let (descriptor, done, connections) = state.withLock { state in
            let result = (state.listener, state.acceptorDone, Array(state.connections.values))
            state.listener = nil
            state.accepting = false
            state.acceptorDone = nil
            return result
        }
        if let descriptor {
            Socket.shutdownBoth(descriptor)
            if let done { done.wait() } else { Socket.close(descriptor) }
        }
        for connection in connections { connection.abort() }
    }

    private func serve(_ descriptor: Int32) {
        let connection = state.withLock { state in
            state.nextConnectionID += 1
            let connection = HTTPConnection(id: state.nextConnectionID, descriptor: descriptor)
            state.connections[connection.id] = connection
            return connection
        }
        let thread = Thread { [self] in
            var buffer: [UInt8] = []
            let preamble = FrontPreamble.read(from: connection, into: &buffer)
            connection.front.withLock { $0 = preamble }
            serving: while true {
                switch HTTPParser.parse(buffer) {
                case .needMore:
                    if connection.receive(into: &buffer) == 0 { break serving }
                case .malformed(let why):
                    connection.respond(status: 400, contentType: "text/plain", body: Array("\(why)\n".utf8), close: true)
                    break serving
                case .request(let request, let consumed):
                    buffer.removeFirst(consumed)
                    let keepOpen = handler(request, connection)
                    if !keepOpen || !request.keepAlive || connection.isAborted { break serving }
                }
            }
            connection.close()
            _ = state.withLock { $0.connections.removeValue(forKey: connection.id) }
        }
        thread.name = "master-double connection \(connection.id)"
        thread.stackSize = 1 << 20
        thread.start()
    }
}
