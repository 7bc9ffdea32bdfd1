import TestSupport
import Foundation
import Logging
import RouteNetlink

@testable import FlannelBackend
import IPv4

/// Two "nodes" (network namespaces) joined by a veth underlay, 192.168.50.1 and .2, each with a
/// "pod" namespace behind a veth on its leased subnet (node A 10.1.15.0/24, pod 10.1.15.2;
/// node B 10.1.20.0/24, pod 10.1.20.2). The nodes forward; nothing routes between the pod
/// subnets until a backend programs it. `close()` removes all four namespaces (and with them
/// every link and rule in them).
final class TwoNodeLab {
    let nodeA: ScratchNamespace
    let nodeB: ScratchNamespace
    let podA: ScratchNamespace
    let podB: ScratchNamespace
    private var servers: [(process: Process, input: Pipe)] = []

    static let leaseA = LocalLease(subnet: IPv4Network("10.1.15.0/24")!, publicIP: IPv4Address("192.168.50.1")!)
    static let leaseB = LocalLease(subnet: IPv4Network("10.1.20.0/24")!, publicIP: IPv4Address("192.168.50.2")!)

    init() throws {
        var created: [ScratchNamespace] = []
        do {
            nodeA = try ScratchNamespace(prefix: "clcfl-nodea")
            created.append(nodeA)
            nodeB = try ScratchNamespace(prefix: "clcfl-nodeb")
            created.append(nodeB)
            podA = try ScratchNamespace(prefix: "clcfl-poda")
            created.append(podA)
            podB = try ScratchNamespace(prefix: "clcfl-podb")
            created.append(podB)
            try ScratchNamespace.run(
                "/usr/sbin/ip", ["link", "add", "u0", "netns", nodeA.name, "type", "veth", "peer", "name", "u0", "netns", nodeB.name])
            for (node, pod, third, side) in [(nodeA, podA, 15, "1"), (nodeB, podB, 20, "2")] {
                try node.exec("ip", "addr", "add", "192.168.50.\(side)/24", "dev", "u0")
                try node.exec("ip", "link", "set", "u0", "up")
                try ScratchNamespace.run(
                    "/usr/sbin/ip", ["link", "add", "cni0", "netns", node.name, "type", "veth", "peer", "name", "eth0", "netns", pod.name])
                try node.exec("ip", "addr", "add", "10.1.\(third).1/24", "dev", "cni0")
                try node.exec("ip", "link", "set", "cni0", "up")
                try pod.exec("ip", "addr", "add", "10.1.\(third).2/24", "dev", "eth0")
                try pod.exec("ip", "link", "set", "eth0", "up")
                try pod.exec("ip", "route", "add", "default", "via", "10.1.\(third).1")
                try node.exec(
                    "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0")
            }
        } catch {
            for namespace in created { namespace.remove() }
            throw error
        }
    }

    func close() {
        for server in servers { try? server.input.fileHandleForWriting.close() }
        for server in servers {
            let deadline = Date().addingTimeInterval(5)
            while server.process.isRunning && Date() < deadline { usleep(10_000) }
            if server.process.isRunning { kill(server.process.processIdentifier, SIGKILL) }
        }
        for namespace in [nodeA, nodeB, podA, podB] { namespace.remove() }
    }

    func executor(on node: ScratchNamespace, lease: LocalLease, kind: BackendKind) throws -> BackendExecutor {
        BackendExecutor(
            network: IPv4Network("10.1.0.0/16")!, local: lease, kind: kind,
            netlink: try Rtnetlink(networkNamespace: node.path), logger: Logger(label: "test"))
    }

    /// Starts a TCP server in `namespace` on each `ip:port` that answers every connection with
    /// the address the connection came from; returns once they listen.
    func serve(in namespace: ScratchNamespace, _ addresses: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = ["netns", "exec", namespace.name, "python3", "-c", Self.server] + addresses
        let output = Pipe()
        process.standardOutput = output
        let input = Pipe()
        process.standardInput = input  // the server exits when this closes
        try process.run()
        servers.append((process, input))
        let line = output.fileHandleForReading.availableData
        guard String(decoding: line, as: UTF8.self).hasPrefix("ready") else {
            throw ScratchNamespace.CommandError(command: "servers \(addresses)", status: -1, stderr: "did not start")
        }
    }

    /// Connects from `namespace` to `host:port`; returns the source address the server saw,
    /// or `timeout` / an errno name.
    func peerSeen(from namespace: ScratchNamespace, to host: String, port: Int) throws -> String {
        try namespace.exec("python3", "-c", Self.client, host, String(port)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static let server = """
        import socket, sys, threading
        def serve(s):
            while True:
                c, peer = s.accept()
                try: c.sendall(peer[0].encode())
                finally: c.close()
        for spec in sys.argv[1:]:
            ip, port = spec.rsplit(":", 1)
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((ip, int(port))); s.listen(16)
            threading.Thread(target=serve, args=(s,), daemon=True).start()
        print("ready", flush=True)
        sys.stdin.read()
        """

    private static let client = """
        import socket, sys, errno
        s = socket.socket(); s.settimeout(3)
        try:
            s.connect((sys.argv[1], int(sys.argv[2]))); print(s.recv(100).decode())
        except socket.timeout: print("timeout")
        except OSError as e: print(errno.errorcode.get(e.errno, str(e)))
        """
}
