import Logging
import NIOCore
import StreamingProtocol

/// Runs a ``StreamingSession`` on a connection upgraded to SPDY/3.1: the raw bytes the client
/// sends go to the session, the session's bytes to the client; the connection closes when the
/// session returns.
enum SPDYBridge {
    static func run(session: any StreamingSession, channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, logger: Logger) async {
        do {
            try await channel.executeThenClose { inbound, outbound in
                let (bytes, continuation) = AsyncStream<[UInt8]>.makeStream()
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        defer { continuation.finish() }
                        do {
                            for try await buffer in inbound { continuation.yield(Array(buffer: buffer)) }
                        } catch {
                            logger.debug("SPDY read ended: \(error)")
                        }
                    }
                    await session.runSPDY(inbound: bytes) { data in
                        try await outbound.write(ByteBuffer(bytes: data))
                    }
                    group.cancelAll()
                }
            }
        } catch {
            logger.debug("SPDY session ended: \(error)")
        }
    }
}
