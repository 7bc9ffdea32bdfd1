import CNamespace
import CurlHTTP
import Foundation

/// Opens connections to a port of a pod: `127.0.0.1:<port>` inside the pod's network namespace,
/// as kubelet's port-forward does, so that a server listening only on the pod's loopback is
/// reachable too.
public protocol PodPortDialer: Sendable {
    /// - Parameters:
    ///   - port: the pod's port.
    ///   - pid: a process in the pod's network namespace (the infra container's).
    /// - Throws: ``PortDialError`` when the namespace cannot be entered or nobody listens.
    func dial(port: UInt16, networkNamespaceOf pid: Int) async throws(PortDialError) -> any PortConnection
}

/// A connection's two directions, as the port-forward session uses them.
public protocol PortConnection: Sendable {
    func send(_ bytes: [UInt8]) async throws
    /// nil at EOF.
    func receive() async throws -> [UInt8]?
    func closeWrite()
    func close()
}

extension RawConnection: PortConnection {}

/// Why a port could not be dialed; the text is what the port-forward client reads.
public struct PortDialError: Error, Sendable, Equatable, CustomStringConvertible {
    public var port: UInt16
    public var reason: String

    public init(port: UInt16, reason: String) {
        self.port = port
        self.reason = reason
    }

    public var description: String { reason }
}

/// ``PodPortDialer`` through libcurl: the socket is created on the connection's own thread after
/// `setns` into the pod's namespace, which the thread leaves again at once; a socket stays in the
/// namespace it was created in, so curl then connects and runs it as any other.
public struct NetworkNamespacePortDialer: PodPortDialer {
    /// Where `/proc` is (tests may point elsewhere).
    public var procRoot: String
    public var connectTimeout: Duration

    public init(procRoot: String = "/proc", connectTimeout: Duration = .seconds(10)) {
        self.procRoot = procRoot
        self.connectTimeout = connectTimeout
    }

    public func dial(port: UInt16, networkNamespaceOf pid: Int) async throws(PortDialError) -> any PortConnection {
        let namespacePath = "\(procRoot)/\(pid)/ns/net"
        let ownPath = "\(procRoot)/thread-self/ns/net"
        guard pid > 0, FileManager.default.fileExists(atPath: namespacePath) else {
            throw PortDialError(port: port, reason: "no network namespace at \(namespacePath) (the pod's infra container is not running)")
        }
        do {
            return try await RawConnection.connect(
                to: HTTPEndpoint(baseURL: "http://127.0.0.1:\(port)"), connectTimeout: connectTimeout
            ) { family, type, proto in
                try Self.socketInNamespace(namespacePath, returningTo: ownPath, family: family, type: type, protocol: proto)
            }
        } catch let error as PortDialError {
            throw PortDialError(port: port, reason: error.reason)
        } catch let error as HTTPError {
            if case let .transport(_, _, message) = error { throw PortDialError(port: port, reason: message) }
            throw PortDialError(port: port, reason: error.description)
        } catch {
            throw PortDialError(port: port, reason: "\(error)")
        }
    }

    /// Creates a socket in the namespace at `path` on the calling thread, which must be a thread
    /// of its own (curl's connection thread): it enters the namespace and returns to its own.
    static func socketInNamespace(
        _ path: String, returningTo ownPath: String, family: Int32, type: Int32, protocol proto: Int32
    ) throws(PortDialError) -> Int32 {
        let own = open(ownPath, O_RDONLY | O_CLOEXEC)
        guard own >= 0 else { throw PortDialError(port: 0, reason: "open \(ownPath): \(String(cString: strerror(errno)))") }
        defer { close(own) }
        let target = open(path, O_RDONLY | O_CLOEXEC)
        guard target >= 0 else { throw PortDialError(port: 0, reason: "open \(path): \(String(cString: strerror(errno)))") }
        defer { close(target) }
        guard clc_ns_setns_net(target) == 0 else {
            throw PortDialError(port: 0, reason: "setns \(path): \(String(cString: strerror(errno)))")
        }
        let socket = Glibc.socket(family, type, proto)
        let socketErrno = errno
        // Returning cannot fail for a namespace this thread was in a moment ago while the
        // descriptor is open; if it did, the thread must not run on in the pod's namespace.
        guard clc_ns_setns_net(own) == 0 else { fatalError("setns back to \(ownPath) failed: \(String(cString: strerror(errno)))") }
        guard socket >= 0 else { throw PortDialError(port: 0, reason: "socket: \(String(cString: strerror(socketErrno)))") }
        return socket
    }
}
