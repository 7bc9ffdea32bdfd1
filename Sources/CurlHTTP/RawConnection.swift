import CCurl
import Foundation
import Synchronization

/// A bidirectional byte stream to an ``HTTPEndpoint``, opened by libcurl with
/// `CURLOPT_CONNECT_ONLY` (so unix sockets, TLS, a CA file and client certificates work exactly
/// as for ``CurlTransport``), for protocols that leave HTTP behind after an upgrade: Docker's
/// hijacked exec and attach streams, SPDY and WebSocket connections passed through.
///
/// One dedicated thread owns the curl handle and runs a `poll(2)` loop over the connection's
/// socket and a wake-up pipe; `send`, `receive`, `closeWrite` and `close` queue work for it and
/// suspend, so no blocking call ever runs on the cooperative pool, and curl sees one thread only
/// (a TLS session must not be read and written from two threads at once).
///
/// Half-close: ``closeWrite()`` shuts the socket's write side (`shutdown(SHUT_WR)`) on plain
/// TCP and unix sockets, so the peer reads EOF while this side keeps reading. Over TLS libcurl
/// offers no way to send a lone close_notify, so there ``closeWrite()`` only refuses further
/// sends; the peer sees EOF when the connection is closed.
public final class RawConnection: Sendable {
    /// The peer this connection reached.
    public let endpoint: HTTPEndpoint
    private let core: Core

    private init(endpoint: HTTPEndpoint, core: Core) {
        self.endpoint = endpoint
        self.core = core
    }

    deinit {
        core.requestClose()
    }

    /// Opens a connection (TCP or unix socket, and TLS for `https://` endpoints).
    ///
    /// - Parameters:
    ///   - endpoint: the peer; its credentials are used for the TLS handshake.
    ///   - connectTimeout: how long the connect and TLS handshake may take.
    /// - Throws: ``HTTPError/transport(request:code:message:)`` naming the endpoint when the
    ///   connection cannot be made, ``HTTPError/timedOut(request:after:)`` after `connectTimeout`.
    ///   - openSocket: creates the socket instead of curl (with the address family, type and
    ///     protocol curl asks for), e.g. inside another network namespace; curl connects it.
    ///     A thrown error is the connect's error.
    public static func connect(
        to endpoint: HTTPEndpoint, connectTimeout: Duration = .seconds(10), openSocket: SocketOpener? = nil
    ) async throws -> RawConnection {
        let label = "connect \(endpoint)"
        let (pipeRead, pipeWrite) = try makeWakePipe(label: label)
        let core = Core(label: label, wakeRead: pipeRead, wakeWrite: pipeWrite, tls: endpoint.usesTLS)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let thread = Thread {
                core.run(endpoint: endpoint, connectTimeout: connectTimeout, openSocket: openSocket, connected: continuation)
            }
            thread.name = "curl raw"
            thread.start()
        }
        return RawConnection(endpoint: endpoint, core: core)
    }

    /// Creates a socket: `(family, type, protocol)` in, a descriptor out.
    public typealias SocketOpener = @Sendable (_ family: Int32, _ type: Int32, _ protocol: Int32) throws -> Int32

    /// Writes all of `bytes`, returning once curl has taken the last of them.
    /// - Throws: ``HTTPError/transport(request:code:message:)`` when the connection is broken or
    ///   was closed (for writing).
    public func send(_ bytes: [UInt8]) async throws {
        if bytes.isEmpty { return }
        try await core.send(bytes)
    }

    /// The next bytes the peer sent, as soon as any arrive; nil once the peer closed its side.
    /// - Throws: ``HTTPError/transport(request:code:message:)`` when the connection broke,
    ///   `CancellationError` when the calling task is cancelled (no bytes are lost).
    public func receive() async throws -> [UInt8]? {
        try await core.receive()
    }

    /// Ends the write side once every queued send is written; receiving goes on. See the type's
    /// comment for TLS.
    public func closeWrite() {
        core.requestCloseWrite()
    }

    /// Closes the connection: pending sends and receives fail, the socket is closed. Idempotent.
    public func close() {
        core.requestClose()
    }

    /// Whether ``closeWrite()`` reaches the peer as EOF on this connection (not over TLS).
    public var supportsHalfClose: Bool { !endpoint.usesTLS }

    private static func makeWakePipe(label: String) throws -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        // pipe2 needs _GNU_SOURCE, which Glibc's module does not define.
        guard pipe(&fds) == 0 else {
            throw HTTPError.transport(request: label, code: -1, message: "pipe: \(String(cString: strerror(errno)))")
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        return (fds[0], fds[1])
    }
}

extension HTTPEndpoint {
    var usesTLS: Bool { unixSocketPath == nil && baseURL.lowercased().hasPrefix("https://") }
}

// MARK: - The connection's thread and the state it shares with callers

private final class Core: Sendable {
    struct PendingWrite {
        var bytes: [UInt8]
        var offset = 0
        var continuation: CheckedContinuation<Void, any Error>
    }

    struct Reader {
        var id: UInt64
        var continuation: CheckedContinuation<[UInt8]?, any Error>
    }

    struct State {
        var writes: [PendingWrite] = []
        var readers: [Reader] = []
        /// Bytes read for a reader that was cancelled meanwhile; the next receive gets them.
        var buffered: [[UInt8]] = []
        var nextReaderID: UInt64 = 0
        var closeWriteRequested = false
        var writeClosed = false
        var closeRequested = false
        var readEnded = false
        var readFailure: HTTPError?
        var writeFailure: HTTPError?
        /// Set by the thread when it has closed the pipe: nobody may write to it any more.
        var threadExited = false
    }

    let label: String
    let tls: Bool
    private let state = Mutex(State())
    private let wakeRead: Int32
    private let wakeWrite: Int32

    init(label: String, wakeRead: Int32, wakeWrite: Int32, tls: Bool) {
        self.label = label
        self.wakeRead = wakeRead
        self.wakeWrite = wakeWrite
        self.tls = tls
    }

    // MARK: Caller side

    func send(_ bytes: [UInt8]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let refusal: HTTPError? = state.withLock { state in
                if let failure = state.writeFailure { return failure }
                if state.closeRequested || state.closeWriteRequested {
                    return .transport(request: label, code: -1, message: "send after the connection was closed for writing")
                }
                state.writes.append(PendingWrite(bytes: bytes, continuation: continuation))
                wakeLocked(&state)
                return nil
            }
            if let refusal { continuation.resume(throwing: refusal) }
        }
    }

    func receive() async throws -> [UInt8]? {
        let id = state.withLock { state in
            state.nextReaderID += 1
            return state.nextReaderID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, any Error>) in
                enum Immediate { case bytes([UInt8]?), failure(any Error), none }
                let immediate: Immediate = state.withLock { state in
                    if !state.buffered.isEmpty { return .bytes(state.buffered.removeFirst()) }
                    if let failure = state.readFailure { return .failure(failure) }
                    if state.readEnded { return .bytes(nil) }
                    if state.closeRequested {
                        return .failure(HTTPError.transport(request: label, code: -1, message: "receive on a closed connection"))
                    }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.readers.append(Reader(id: id, continuation: continuation))
                    wakeLocked(&state)
                    return .none
                }
                switch immediate {
                case .bytes(let bytes): continuation.resume(returning: bytes)
                case .failure(let error): continuation.resume(throwing: error)
                case .none: break
                }
            }
        } onCancel: {
            let reader = state.withLock { state -> Reader? in
                guard let index = state.readers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.readers.remove(at: index)
            }
            reader?.continuation.resume(throwing: CancellationError())
        }
    }

    func requestCloseWrite() {
        state.withLock { state in
            state.closeWriteRequested = true
            wakeLocked(&state)
        }
    }

    func requestClose() {
        state.withLock { state in
            state.closeRequested = true
            wakeLocked(&state)
        }
    }

    private func wakeLocked(_ state: inout State) {
        guard !state.threadExited else { return }
        var byte: UInt8 = 1
        // A full pipe already holds a wake-up; EAGAIN is fine.
        _ = write(wakeWrite, &byte, 1)
    }

    // MARK: Thread side

    /// The connection's thread: connects, then serves sends and receives until closed.
    func run(
        endpoint: HTTPEndpoint, connectTimeout: Duration, openSocket: RawConnection.SocketOpener?,
        connected: CheckedContinuation<Void, any Error>
    ) {
        CurlGlobal.ensureInitialised()
        guard let handle = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        defer { curl_easy_cleanup(handle) }
        let socket: curl_socket_t
        do {
            socket = try Self.open(handle, endpoint: endpoint, connectTimeout: connectTimeout, openSocket: openSocket, label: label)
        } catch {
            exitThread(error: error)
            connected.resume(throwing: error)
            return
        }
        connected.resume()
        serve(handle, socket: socket)
    }

    private static func open(
        _ handle: UnsafeMutableRawPointer, endpoint: HTTPEndpoint, connectTimeout: Duration,
        openSocket: RawConnection.SocketOpener?, label: String
    ) throws -> curl_socket_t {
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        errorBuffer[0] = 0
        clc_curl_setopt_string(handle, CURLOPT_URL, endpoint.baseURL + "/")
        if let socket = endpoint.unixSocketPath { clc_curl_setopt_string(handle, CURLOPT_UNIX_SOCKET_PATH, socket) }
        clc_curl_setopt_long(handle, CURLOPT_CONNECT_ONLY, 1)
        clc_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        clc_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        clc_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(connectTimeout.milliseconds)))
        if let ca = endpoint.caFile { clc_curl_setopt_string(handle, CURLOPT_CAINFO, ca) }
        if let cert = endpoint.clientCertificateFile { clc_curl_setopt_string(handle, CURLOPT_SSLCERT, cert) }
        if let key = endpoint.clientKeyFile { clc_curl_setopt_string(handle, CURLOPT_SSLKEY, key) }
        if endpoint.insecureSkipTLSVerify {
            clc_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 0)
            clc_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 0)
        }
        clc_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        let opener = openSocket.map(SocketOpenerBox.init)
        if let opener {
            clc_curl_setopt_opensocket_function(handle, curlOpenSocket)
            clc_curl_setopt_pointer(handle, CURLOPT_OPENSOCKETDATA, Unmanaged.passUnretained(opener).toOpaque())
        }
        let code = withExtendedLifetime(opener) { curl_easy_perform(handle) }
        guard code == CURLE_OK else {
            if let failure = opener?.failure { throw failure }
            if code == CURLE_OPERATION_TIMEDOUT { throw HTTPError.timedOut(request: label, after: connectTimeout) }
            let detail = String(cString: errorBuffer)
            throw HTTPError.transport(
                request: label, code: Int32(code.rawValue),
                message: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
        }
        var socket: curl_socket_t = -1
        guard clc_curl_getinfo_socket(handle, CURLINFO_ACTIVESOCKET, &socket) == CURLE_OK, socket >= 0 else {
            throw HTTPError.transport(request: label, code: -1, message: "curl has no active socket after connecting")
        }
        return socket
    }

    private func serve(_ handle: UnsafeMutableRawPointer, socket: curl_socket_t) {
        let bufferSize = 65_536
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            drainWakePipe()
            let snapshot = state.withLock { state in
                (
                    close: state.closeRequested, write: state.writes.first.map { ($0.bytes, $0.offset) },
                    closeWrite: state.closeWriteRequested && state.writes.isEmpty && !state.writeClosed,
                    read: !state.readers.isEmpty && !state.readEnded && state.readFailure == nil
                )
            }
            if snapshot.close {
                exitThread(error: HTTPError.transport(request: label, code: -1, message: "the connection was closed"))
                return
            }
            var waitForWritable = false
            var waitForReadable = false

            if let (bytes, offset) = snapshot.write {
                var sent = 0
                let code = bytes.withUnsafeBytes { all in
                    curl_easy_send(handle, all.baseAddress! + offset, all.count - offset, &sent)
                }
                if code == CURLE_AGAIN {
                    waitForWritable = true
                } else if code != CURLE_OK {
                    failWrites(HTTPError.transport(
                        request: label, code: Int32(code.rawValue), message: "send: \(String(cString: curl_easy_strerror(code)))"))
                } else {
                    let finished = state.withLock { state -> PendingWrite? in
                        state.writes[0].offset += sent
                        guard state.writes[0].offset >= state.writes[0].bytes.count else { return nil }
                        return state.writes.removeFirst()
                    }
                    finished?.continuation.resume()
                    continue
                }
            } else if snapshot.closeWrite {
                if !tls { _ = shutdown(socket, Int32(SHUT_WR)) }
                state.withLock { $0.writeClosed = true }
            }

            if snapshot.read {
                var received = 0
                let code = curl_easy_recv(handle, buffer, bufferSize, &received)
                if code == CURLE_AGAIN {
                    waitForReadable = true
                } else if code != CURLE_OK {
                    failReads(HTTPError.transport(
                        request: label, code: Int32(code.rawValue), message: "receive: \(String(cString: curl_easy_strerror(code)))"))
                } else {
                    let bytes: [UInt8]? = received == 0 ? nil : Array(UnsafeRawBufferPointer(start: buffer, count: received))
                    deliver(bytes)
                    continue
                }
            }

            var fds = [
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
                pollfd(
                    fd: socket,
                    events: (waitForReadable ? Int16(POLLIN) : 0) | (waitForWritable ? Int16(POLLOUT) : 0), revents: 0),
            ]
            _ = poll(&fds, waitForReadable || waitForWritable ? 2 : 1, -1)
        }
    }

    private func deliver(_ bytes: [UInt8]?) {
        let readers = state.withLock { state -> [Reader] in
            if bytes == nil {
                state.readEnded = true
                let all = state.readers
                state.readers.removeAll()
                return all
            }
            guard !state.readers.isEmpty else {
                if let bytes { state.buffered.append(bytes) }
                return []
            }
            return [state.readers.removeFirst()]
        }
        for reader in readers { reader.continuation.resume(returning: bytes) }
    }

    private func failReads(_ error: HTTPError) {
        let readers = state.withLock { state -> [Reader] in
            state.readFailure = error
            defer { state.readers.removeAll() }
            return state.readers
        }
        for reader in readers { reader.continuation.resume(throwing: error) }
    }

    private func failWrites(_ error: HTTPError) {
        let writes = state.withLock { state -> [PendingWrite] in
            state.writeFailure = error
            defer { state.writes.removeAll() }
            return state.writes
        }
        for write in writes { write.continuation.resume(throwing: error) }
    }

    /// Fails whatever still waits, and closes the pipe under the lock so that no caller writes
    /// to a descriptor number the process may have reused.
    private func exitThread(error: any Error) {
        let (readers, writes) = state.withLock { state -> ([Reader], [PendingWrite]) in
            state.threadExited = true
            state.closeRequested = true
            if state.readFailure == nil, !state.readEnded {
                state.readFailure = error as? HTTPError ?? .transport(request: label, code: -1, message: "\(error)")
            }
            if state.writeFailure == nil {
                state.writeFailure = error as? HTTPError ?? .transport(request: label, code: -1, message: "\(error)")
            }
            Foundation.close(wakeRead)
            Foundation.close(wakeWrite)
            defer {
                state.readers.removeAll()
                state.writes.removeAll()
            }
            return (state.readers, state.writes)
        }
        for reader in readers { reader.continuation.resume(throwing: error) }
        for write in writes { write.continuation.resume(throwing: error) }
    }

    private func drainWakePipe() {
        var sink = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &sink, sink.count) > 0 {}
    }
}

/// The caller's socket opener and the error it threw, shared with curl's callback through an
/// unretained pointer that lives as long as the connect.
private final class SocketOpenerBox {
    let open: RawConnection.SocketOpener
    var failure: (any Error)?

    init(_ open: @escaping RawConnection.SocketOpener) {
        self.open = open
    }
}

private func curlOpenSocket(
    _ context: UnsafeMutableRawPointer?, _ purpose: curlsocktype, _ address: UnsafeMutablePointer<curl_sockaddr>?
) -> curl_socket_t {
    guard let context, let address else { return CURL_SOCKET_BAD }
    let box = Unmanaged<SocketOpenerBox>.fromOpaque(context).takeUnretainedValue()
    do {
        return try box.open(address.pointee.family, address.pointee.socktype, address.pointee.protocol)
    } catch {
        box.failure = error
        return CURL_SOCKET_BAD
    }
}
