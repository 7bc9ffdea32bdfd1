import Foundation
import Logging
import Synchronization

/// One listening socket and the thread that serves it, from ``start()`` to ``stop()``.
///
/// A single thread accepts and serves connections one after the other: a scrape takes
/// milliseconds, and one thread keeps the agent's memory flat however many clients knock. A
/// client that stalls holds the thread for at most the request timeout.
final class AcceptLoop: Sendable {
    private struct State {
        var stopping = false
        /// The connection being served, so ``stop()`` can cut it short.
        var connection: ClientSocket?
    }

    private let socket: ListeningSocket
    private let exchange: HTTPExchange
    private let logger: Logger
    private let state = Mutex(State())
    private let finished = DispatchSemaphore(value: 0)

    init(socket: ListeningSocket, exchange: HTTPExchange, logger: Logger) {
        self.socket = socket
        self.exchange = exchange
        self.logger = logger
    }

    var port: UInt16 { socket.port }

    func start() {
        let thread = Thread { [self] in
            acceptUntilShutDown()
            finished.signal()
        }
        thread.name = "metrics-http"
        thread.stackSize = 512 << 10
        thread.start()
    }

    /// Closes the listener, cuts the connection being served and waits for the thread to end,
    /// which takes no longer than one response being rendered.
    func stop() {
        let connection = state.withLock { state in
            state.stopping = true
            return state.connection
        }
        socket.shutdown()
        connection?.shutdown()
        finished.wait()
    }

    private func acceptUntilShutDown() {
        while true {
            switch socket.accept() {
            case .connection(let client):
                let serving = state.withLock { state in
                    if state.stopping { return false }
                    state.connection = client
                    return true
                }
                guard serving else { return }
                exchange.serve(client)
                state.withLock { $0.connection = nil }
            case .shutDown:
                return
            case .failed(let code):
                if state.withLock({ $0.stopping }) { return }
                // Out of descriptors or memory: back off instead of spinning, and try again.
                logger.warning("metrics server cannot accept a connection: \(String(cString: strerror(code))) (errno \(code))")
                usleep(100_000)
            }
        }
    }
}
