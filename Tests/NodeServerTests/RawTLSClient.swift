import NIOCore
import NIOPosix
import NIOSSL

/// A TLS client that sends exactly the bytes a test gives it and reads raw bytes back: for the
/// SPDY upgrade (101, then bytes both ways) and for abusive requests.
struct RawTLSClient {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>

    /// - Parameter identity: the client certificate to present, if any.
    static func connect(port: Int, identity: TestCertificates.Identity?) async throws -> RawTLSClient {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        if let identity {
            configuration.certificateChain = [.certificate(try NIOSSLCertificate(bytes: Array(identity.certificatePEM.utf8), format: .pem))]
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(identity.keyPEM.utf8), format: .pem))
        }
        let context = try NIOSSLContext(configuration: configuration)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return RawTLSClient(channel: channel)
    }

    /// Sends `text`, then reads until `until` returns true for what arrived, or the server
    /// closes; returns everything read.
    func exchange(_ text: String, until: @escaping (String) -> Bool = { _ in false }) async throws -> String {
        try await exchange(Array(text.utf8), until: until)
    }

    func exchange(_ bytes: [UInt8], until: @escaping (String) -> Bool = { _ in false }) async throws -> String {
        try await channel.executeThenClose { inbound, outbound in
            if !bytes.isEmpty { try await outbound.write(ByteBuffer(bytes: bytes)) }
            var received = ""
            do {
                for try await buffer in inbound {
                    received += String(buffer: buffer)
                    if until(received) { break }
                }
            } catch {
                // A reset after the answer still leaves the answer.
            }
            return received
        }
    }

    /// The whole conversation of a test: sends parts in turn, each waiting for its condition.
    func converse(_ steps: [(send: [UInt8], until: (String) -> Bool)]) async throws -> [String] {
        try await channel.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            var answers: [String] = []
            for step in steps {
                if !step.send.isEmpty { try await outbound.write(ByteBuffer(bytes: step.send)) }
                var received = ""
                while !step.until(received), let buffer = try await iterator.next() {
                    received += String(buffer: buffer)
                }
                answers.append(received)
            }
            return answers
        }
    }
}
