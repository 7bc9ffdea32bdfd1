import Logging
import StreamingProtocol

/// One port-forward on an upgraded connection (cri/streaming/portforward).
public struct PortForwardSession: StreamingSession {
    let dialer: any PodPortDialer
    let version: StreamProtocolVersion
    let sandbox: StreamPodSandbox
    /// `name_namespace`, as kubelet names a pod in port-forward errors.
    let podFullName: String
    /// The pod UID the request's path named, if any ("" otherwise, as kubelet prints it).
    let requestUID: String
    let ports: [UInt16]
    let timeouts: StreamingTimeouts
    let logger: Logger

    /// What kubelet writes on a port's error stream when forwarding fails.
    func forwardingError(port: UInt16, _ reason: String) -> String {
        "error forwarding port \(port) to pod \(podFullName), uid \(requestUID): \(reason)"
    }

    /// WebSocket: port i uses channel 2i for data both ways and 2i+1 for errors; the first
    /// message on each is the port, little-endian (portforward/websocket.go).
    public func runWebSocket(
        inbound: AsyncStream<WebSocketMessage>, send: @escaping @Sendable (WebSocketMessage) async throws -> Void
    ) async {
        let codec = WebSocketChannelCodec(version: version)
        let writer = SerialWriter(send)
        let activity = ActivityClock()
        do {
            for (index, port) in ports.enumerated() {
                let prefix = [UInt8(port & 0xff), UInt8(port >> 8)]
                try await writer.write(codec.encode(channel: UInt8(2 * index), prefix))
                try await writer.write(codec.encode(channel: UInt8(2 * index + 1), prefix))
            }
        } catch {
            return
        }
        // As kubelet does, the session ends once the pod's side of every port ended: WebSocket
        // v4 has no per-port close, so closing the socket is how the client learns of the EOF.
        let (portEnds, portEnded) = AsyncStream.makeStream(of: Void.self)
        let portCount = ports.count
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                var ended = 0
                for await _ in portEnds {
                    ended += 1
                    if ended == portCount { return true }
                }
                return false
            }
            // One inbound queue per port, so a slow pod port does not hold up the others.
            var queues: [AsyncStream<PortEvent>.Continuation] = []
            for (index, port) in ports.enumerated() {
                let (events, sink) = AsyncStream.makeStream(of: PortEvent.self)
                queues.append(sink)
                group.addTask {
                    await forward(port: port, events: events, activity: activity, waitForPeerEOF: false) { bytes in
                        try? await writer.write(codec.encode(channel: UInt8(2 * index), bytes))
                    } error: { text in
                        try? await writer.write(codec.encode(channel: UInt8(2 * index + 1), Array(text.utf8)))
                    } peerEOF: {
                        portEnded.yield()
                    }
                    return false
                }
            }
            // The session ends when the client goes or nothing moved for the idle time-out.
            group.addTask {
                await activity.waitUntilIdle(for: timeouts.idle)
                return true
            }
            let routes = queues
            group.addTask {
                for await message in inbound {
                    activity.touch()
                    guard case let .data(channel, bytes)? = codec.decode(message), channel % 2 == 0,
                        Int(channel / 2) < routes.count, !bytes.isEmpty
                    else { continue }
                    routes[Int(channel / 2)].yield(.data(bytes))
                }
                return true
            }
            while let ending = await group.next(), !ending {}
            for queue in queues { queue.finish() }
            portEnded.finish()
            group.cancelAll()
        }
    }

    public func runSPDY(inbound: AsyncStream<[UInt8]>, write: @escaping @Sendable ([UInt8]) async throws -> Void) async {
        await SPDYPortForward(session: self).run(inbound: inbound, write: write)
    }

    enum PortEvent: Sendable {
        case data([UInt8])
        case closeWrite
    }

    /// Dials `port` and copies both ways until the client's side ends; reports a failed dial on
    /// the port's error stream.
    /// - Parameters:
    ///   - events: the client's bytes and half-close for this port; ends when the client's side
    ///     is done.
    ///   - waitForPeerEOF: after the client's side ended, let the pod's side run to its EOF
    ///     (SPDY, where the client half-closes) instead of cutting it off (WebSocket, where the
    ///     events end only when the client went).
    ///   - peerEOF: called once the pod's side ended (or could not be dialed).
    func forward(
        port: UInt16, events: AsyncStream<PortEvent>, activity: ActivityClock, waitForPeerEOF: Bool,
        data: @escaping @Sendable ([UInt8]) async -> Void, error: @escaping @Sendable (String) async -> Void,
        peerEOF: @escaping @Sendable () async -> Void
    ) async {
        let connection: any PortConnection
        do {
            connection = try await dialer.dial(port: port, networkNamespaceOf: sandbox.pid)
        } catch let failure {
            let text = forwardingError(port: port, failure.reason)
            logger.info("\(text)")
            await error(text)
            await peerEOF()
            // Drain the client's bytes for this port until it goes.
            for await _ in events {}
            return
        }
        defer { connection.close() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    while let bytes = try await connection.receive() {
                        activity.touch()
                        await data(bytes)
                    }
                } catch {}
                await peerEOF()
            }
            for await event in events {
                activity.touch()
                switch event {
                case .data(let bytes):
                    do { try await connection.send(bytes) } catch { continue }
                case .closeWrite:
                    connection.closeWrite()
                }
            }
            if !waitForPeerEOF { group.cancelAll() }
        }
    }
}
