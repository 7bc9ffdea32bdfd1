import Foundation
import Synchronization
import Testing

/// Certificates made with openssl for one test: a CA, the node's serving certificate (for
/// 127.0.0.1) and the master's client certificate, all signed by it; plus a second CA that
/// signed nothing the test uses.
struct TestCertificates {
    let directory: String
    var ca: String { "\(directory)/ca.crt" }
    var otherCA: String { "\(directory)/other-ca.crt" }
    var nodeCert: String { "\(directory)/node.crt" }
    var nodeKey: String { "\(directory)/node.key" }
    var clientCert: String { "\(directory)/client.crt" }
    var clientKey: String { "\(directory)/client.key" }

    /// One set for the whole test run: RSA keys are slow to make on a loaded machine.
    static let shared = Result { try TestCertificates() }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kubelet-stub-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = """
            set -e
            cd '\(directory)'
            for ca in ca other-ca; do
              openssl req -x509 -newkey rsa:2048 -nodes -keyout $ca.key -out $ca.crt -days 2 -subj "/CN=$ca" 2>/dev/null
            done
            printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > node.ext
            openssl req -newkey rsa:2048 -nodes -keyout node.key -out node.csr -subj "/CN=node-a" 2>/dev/null
            openssl x509 -req -in node.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out node.crt -days 2 -extfile node.ext 2>/dev/null
            openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr \\
              -subj "/O=system:masters/CN=kube-apiserver-kubelet-client" 2>/dev/null
            openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 2 2>/dev/null
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        do {
            try process.run()
        } catch {
            throw StubError("cannot run /bin/sh for openssl: \(error)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw StubError("openssl failed (exit \(process.terminationStatus)); is openssl installed (scripts/install-deps.sh)?")
        }
    }

}

struct StubError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// scripts/kubelet-stub.py: an HTTPS kubelet stand-in that requires a client certificate of
/// the test CA. Stopped by `stop()`.
final class KubeletStub: Sendable {
    let port: Int
    private let process: Process
    private let stopped = Mutex(false)

    init(certificates: TestCertificates) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("scripts/kubelet-stub.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, certificates.nodeCert, certificates.nodeKey, certificates.ca]
        let output = Pipe()
        process.standardOutput = output
        do {
            try process.run()
        } catch {
            throw StubError("cannot start python3 \(script): \(error); python3 comes from scripts/install-deps.sh")
        }
        // The first line is `port N`.
        var line: [UInt8] = []
        let handle = output.fileHandleForReading
        while line.last != UInt8(ascii: "\n") {
            let byte = handle.readData(ofLength: 1)
            if byte.isEmpty { break }
            line.append(contentsOf: byte)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("port "), let port = Int(text.dropFirst(5)) else {
            kill(process.processIdentifier, SIGKILL)
            throw StubError("kubelet stub did not start: \(text.isEmpty ? "no output" : text)")
        }
        self.port = port
        self.process = process
    }

    /// SIGKILL: the test runner's children inherit a signal mask that may block SIGTERM.
    func stop() {
        guard stopped.withLock({ let was = $0; $0 = true; return !was }) else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
