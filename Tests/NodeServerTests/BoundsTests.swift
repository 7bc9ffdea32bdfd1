import CurlHTTP
import Foundation
import NodeServer
import Testing

@Suite("Bounds: many connections and oversized request heads", .serialized)
struct BoundsTests {
    let certificates = TestCertificates.shared

    /// Open file descriptors of this process.
    static func openDescriptors() throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
    }

    /// Polls until the descriptor count is back at `baseline` (plus a little slack for the
    /// runtime), or the limit passes.
    static func settles(to baseline: Int, slack: Int = 4) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(10)
        var count = try openDescriptors()
        while count > baseline + slack, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            count = try openDescriptors()
        }
        return count
    }

    @Test("200 concurrent TLS connections are all served, and the descriptors are released afterwards")
    func concurrentConnections() async throws {
        try await NodeServerFixture.with(endpoints: NodeEndpoints(pods: NodeServerTests.pods)) { server in
            // One round first so that lazily opened descriptors (event loops, curl) are counted.
            _ = try await RawTLSClient.connect(port: server.ports.port, identity: certificates.client)
                .exchange("GET /pods HTTP/1.1\r\nHost: n\r\nConnection: close\r\n\r\n")
            let baseline = try Self.openDescriptors()
            let oks = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        let client = try await RawTLSClient.connect(port: server.ports.port, identity: certificates.client)
                        let answer = try await client.exchange("GET /pods HTTP/1.1\r\nHost: n\r\nConnection: close\r\n\r\n")
                        return answer.hasPrefix("HTTP/1.1 200 OK\r\n") && answer.contains("\"PodList\"")
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(oks == 200)
            let after = try await Self.settles(to: baseline)
            #expect(after <= baseline + 4, "descriptors: \(baseline) before, \(after) after")
        }
    }

    @Test("a request head over 1 MiB gets 400 and a closed connection; descriptors stay flat and the server serves on")
    func oversizedHead() async throws {
        try await NodeServerFixture.with(endpoints: NodeEndpoints(pods: NodeServerTests.pods)) { server in
            _ = try await RawTLSClient.connect(port: server.ports.port, identity: certificates.client)
                .exchange("GET /pods HTTP/1.1\r\nHost: n\r\nConnection: close\r\n\r\n")
            let baseline = try Self.openDescriptors()
            for _ in 0..<3 {
                let client = try await RawTLSClient.connect(port: server.ports.port, identity: certificates.client)
                let filler = String(repeating: "x", count: 1 << 20)
                let answer = try await client.exchange("GET /pods HTTP/1.1\r\nHost: n\r\nX-Filler: \(filler)\r\n\r\n")
                #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
                #expect(answer.lowercased().contains("connection: close"))
            }
            let after = try await Self.settles(to: baseline)
            #expect(after <= baseline + 4, "descriptors: \(baseline) before, \(after) after")
            #expect(try await server.get("/pods", as: certificates.client).status == 200)
        }
    }
}
