import Glibc
import SPDY
import Testing

/// kubectl 1.20 (docker/spdystream, the SPDY client kube-apiserver and kubelet use too) against
/// `SPDYServerSession` through a loopback stand-in for the API server: the interop that matters.
/// kubectl comes from scripts/install-clients.sh; scripts/test.sh names it in CLC_TEST_KUBECTL.
@Suite("kubectl 1.20 exec over SPDYServerSession", .serialized)
struct KubectlExecTests {
    static let defaultKubectl = "/var/cache/clc-node/clients/kubectl-1.20/usr/bin/kubectl"

    static func kubectlPath() throws -> String {
        let path = getenv("CLC_TEST_KUBECTL").map { String(cString: $0) } ?? defaultKubectl
        guard access(path, X_OK) == 0 else {
            throw HarnessError(
                "kubectl 1.20 not found at \(path): run scripts/install-clients.sh (as root) or set CLC_TEST_KUBECTL")
        }
        return path
    }

    /// Runs `kubectl exec -i pod-a -c main -- cat` with `input` on its stdin.
    /// - Returns: kubectl's exit status, stdout and stderr, the server, and the seconds it took.
    static func exec(
        _ input: [UInt8], flowControl: SPDYOutboundFlowControl = .whenPeerUsesIt, timeoutMilliseconds: Int = 30_000
    ) throws -> (status: Int32?, stdout: [UInt8], stderr: String, server: LoopbackAPIServer, seconds: Double) {
        let kubectl = try kubectlPath()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try writeFile(scratch.path + "/stdin", input)
        let server = try LoopbackAPIServer(podName: "pod-a", flowControl: flowControl)
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        let child = try ChildProcess(
            kubectl,
            [
                "--server=http://127.0.0.1:\(server.port)", "--namespace=default", "exec", "-i", "pod-a", "-c", "main",
                "--", "cat",
            ],
            environment: ["HOME=\(scratch.path)", "PATH=/usr/bin:/bin"],
            stdin: scratch.path + "/stdin", stdout: scratch.path + "/stdout", stderr: scratch.path + "/stderr")
        defer { child.terminate() }
        let exited = try server.serve(timeoutMilliseconds: timeoutMilliseconds) { child.poll() }
        var end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &end)
        let seconds = Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
        let stderr = String(decoding: try readFile(scratch.path + "/stderr"), as: UTF8.self)
        guard exited else {
            let stdout = try readFile(scratch.path + "/stdout")
            throw HarnessError(
                "kubectl still runs after \(timeoutMilliseconds) ms with \(stdout.count) bytes on its stdout; requests \(server.requestLog); stderr: \(stderr)")
        }
        return (child.exitStatus, try readFile(scratch.path + "/stdout"), stderr, server, seconds)
    }

    @Test("kubectl exec -i opens its streams, and what it writes to stdin comes back on stdout")
    func echo() throws {
        let input = Array("hello from kubectl\n".utf8)
        let result = try Self.exec(input)
        #expect(result.status == 0, "stderr: \(result.stderr); requests: \(result.server.requestLog)")
        #expect(result.stdout == input)
        #expect(result.server.spdyError == nil)
        let exec = try #require(result.server.execs.first, "no exec upgrade; requests: \(result.server.requestLog)")
        #expect(Set(exec.streamTypes.values) == ["error", "stdin", "stdout", "stderr"])
        #expect(exec.streamTypes.keys.allSatisfy { $0 % 2 == 1 })
    }

    @Test("4 MiB through kubectl exec and back: far past the 64 KiB windows spdystream never reopens")
    func bulk() throws {
        let input = noise(count: 4 << 20)
        let result = try Self.exec(input)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.count == input.count)
        #expect(result.stdout == input)
        #expect(result.server.spdyError == nil)
        print("kubectl exec echo of \(input.count) bytes: \(result.seconds) s")
    }

    @Test("with flow control enforced from the first byte, kubectl's output stalls at the 64 KiB window: why the default waits for the peer to use it")
    func enforcedStalls() throws {
        #expect(throws: HarnessError.self) {
            do {
                _ = try Self.exec(noise(count: 256 << 10), flowControl: .enforced, timeoutMilliseconds: 3_000)
            } catch let error as HarnessError {
                #expect(error.description.contains("with 65536 bytes on its stdout"), "\(error)")
                throw error
            }
        }
    }
}

/// Cheap incompressible bytes (xorshift64).
func noise(count: Int) -> [UInt8] {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    var bytes = [UInt8](repeating: 0, count: count)
    bytes.withUnsafeMutableBytes { raw in
        for offset in stride(from: 0, to: count - 7, by: 8) {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            raw.storeBytes(of: state, toByteOffset: offset, as: UInt64.self)
        }
    }
    return bytes
}
