import Foundation

@testable import ServiceProxy

/// Two namespaces joined by a veth pair: a client (192.168.77.2) and a node (192.168.77.1)
/// holding the proxy's rules, with backends listening on 10.244.1.x addresses of the node's
/// loopback (no dummy interfaces here). Each backend answers a connection with its address.
///
/// The node routes the service range back out of the veth and forwards, so that a packet to a
/// cluster IP the rules do not catch would be forwarded (and lost), never refused by routing:
/// a refusal the client sees comes from our reject. ICMP redirects are off, as a redirect would
/// use up the per-client ICMP rate-limit token the reject needs.
final class TrafficLab {
    let node: NetworkNamespace
    let client: NetworkNamespace
    let writer: NetlinkRulesetWriter
    private var servers: [(process: Process, input: Pipe)] = []
    private var pods: [NetworkNamespace] = []

    static let nodeIP = "192.168.77.1"

    init() throws {
        node = try NetworkNamespace(prefix: "clcproxy-node")
        client = try NetworkNamespace(prefix: "clcproxy-client")
        let suffix = String(node.name.suffix(6))
        let nodeSide = "cpn\(suffix)"
        let clientSide = "cpc\(suffix)"
        try NetworkNamespace.run(
            "/usr/sbin/ip",
            ["link", "add", nodeSide, "netns", node.name, "type", "veth", "peer", "name", clientSide, "netns", client.name])
        try node.exec("ip", "addr", "add", "\(Self.nodeIP)/24", "dev", nodeSide)
        try node.exec("ip", "link", "set", nodeSide, "up")
        try client.exec("ip", "addr", "add", "192.168.77.2/24", "dev", clientSide)
        try client.exec("ip", "link", "set", clientSide, "up")
        try client.exec("ip", "route", "add", "default", "via", Self.nodeIP)
        try node.exec("ip", "route", "add", "10.254.0.0/16", "via", "192.168.77.2")
        try node.exec(
            "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.send_redirects=0",
            "net.ipv4.conf.\(nodeSide).send_redirects=0")
        writer = try NetlinkRulesetWriter(networkNamespace: node.path)
    }

    /// Stops the backends and removes both namespaces. The backends stop when their standard
    /// input closes: a child spawned from a dispatch thread inherits its blocked signals, so
    /// SIGTERM would not reach it; SIGKILL (to our own child, by pid) is the fallback.
    func tearDown() {
        for server in servers { try? server.input.fileHandleForWriting.close() }
        for server in servers {
            let deadline = Date().addingTimeInterval(5)
            while server.process.isRunning && Date() < deadline { usleep(10_000) }
            if server.process.isRunning { kill(server.process.processIdentifier, SIGKILL) }
        }
        node.remove()
        client.remove()
        for pod in pods { pod.remove() }
    }

    /// A pod: a namespace of its own joined to the node by a veth pair, `ip`/24 on its side,
    /// the node's side `gateway`/24 and its default route. Its packets reach the node's rules as
    /// a container's reach a minion's.
    func addPod(ip: String, gateway: String) throws -> NetworkNamespace {
        let pod = try NetworkNamespace(prefix: "clcproxy-pod")
        pods.append(pod)
        let suffix = String(pod.name.suffix(6))
        let (nodeSide, podSide) = ("cpp\(suffix)", "cpq\(suffix)")
        try NetworkNamespace.run(
            "/usr/sbin/ip", ["link", "add", nodeSide, "netns", node.name, "type", "veth", "peer", "name", podSide, "netns", pod.name])
        try node.exec("ip", "addr", "add", "\(gateway)/24", "dev", nodeSide)
        try node.exec("ip", "link", "set", nodeSide, "up")
        try node.exec("sysctl", "-qw", "net.ipv4.conf.\(nodeSide).send_redirects=0")
        try pod.exec("ip", "addr", "add", "\(ip)/24", "dev", podSide)
        try pod.exec("ip", "link", "set", podSide, "up")
        try pod.exec("ip", "route", "add", "default", "via", gateway)
        return pod
    }

    /// Starts listeners on `addresses` (`ip:port`) in the node, or in `pod` (whose address it
    /// is); returns once they listen.
    func startBackends(_ addresses: [String], in pod: NetworkNamespace? = nil) throws {
        if pod == nil {
            for address in addresses {
                let ip = address.split(separator: ":")[0]
                try node.exec("ip", "addr", "add", "\(ip)/32", "dev", "lo")
            }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = ["netns", "exec", (pod ?? node).name, "python3", "-c", Self.server] + addresses
        let output = Pipe()
        process.standardOutput = output
        let input = Pipe()
        process.standardInput = input  // the server exits when this closes
        try process.run()
        servers.append((process, input))
        // The server prints one line once every socket listens.
        let line = output.fileHandleForReading.availableData
        guard String(decoding: line, as: UTF8.self).hasPrefix("ready") else {
            throw NetworkNamespace.CommandError(command: "backends \(addresses)", status: -1, stderr: "did not start")
        }
    }

    struct Outcome: Decodable {
        /// How many connections ended how: a backend's address, `timeout`, or an errno name.
        var counts: [String: Int]
        /// The longest connection attempt, in seconds.
        var slowest: Double
    }

    /// `count` connections, one after the other, from `namespace` (the client by default).
    func connect(to host: String, port: Int, count: Int, from namespace: NetworkNamespace? = nil) throws -> Outcome {
        let output = try (namespace ?? client).exec("python3", "-c", Self.clientScript, host, String(port), String(count))
        return try JSONDecoder().decode(Outcome.self, from: Data(output.utf8))
    }

    private static let server = """
        import socket, sys, threading
        def serve(s, ip):
            while True:
                c, _ = s.accept()
                try: c.sendall(ip.encode())
                finally: c.close()
        for spec in sys.argv[1:]:
            ip, port = spec.rsplit(":", 1)
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((ip, int(port))); s.listen(128)
            threading.Thread(target=serve, args=(s, ip), daemon=True).start()
        print("ready", flush=True)
        sys.stdin.read()
        """

    private static let clientScript = """
        import socket, sys, json, time, errno
        host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        counts = {}; slowest = 0.0
        for i in range(n):
            s = socket.socket(); s.settimeout(3); t = time.monotonic()
            try:
                s.connect((host, port)); key = s.recv(100).decode()
            except socket.timeout: key = "timeout"
            except OSError as e: key = errno.errorcode.get(e.errno, str(e))
            finally: s.close()
            slowest = max(slowest, time.monotonic() - t); counts[key] = counts.get(key, 0) + 1
        print(json.dumps({"counts": counts, "slowest": slowest}))
        """
}
