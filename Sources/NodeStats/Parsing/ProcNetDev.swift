/// `/proc/<pid>/net/dev`: the interfaces of a process's network namespace and their counters.
public enum ProcNetDev {
    /// Interfaces cAdvisor leaves out of a container's network stats (`lo`, `veth*`, `docker*`).
    public static let ignoredPrefixes = ["lo", "veth", "docker"]

    /// Every interface in the file, in its order, ignored ones included.
    public static func parse(_ text: String) -> [NetworkInterfaceStats] {
        var interfaces: [NetworkInterfaceStats] = []
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }  // the two header lines
            let name = line[..<colon].trimmingSpaces
            let fields = line[line.index(after: colon)...].split(separator: " ").compactMap { UInt64($0) }
            guard fields.count >= 16, !name.isEmpty else { continue }
            interfaces.append(
                NetworkInterfaceStats(
                    name: String(name), rxBytes: fields[0], rxPackets: fields[1], rxErrors: fields[2], rxDropped: fields[3],
                    txBytes: fields[8], txPackets: fields[9], txErrors: fields[10], txDropped: fields[11]))
        }
        return interfaces
    }

    /// The interfaces stats report: all but loopback, veths and Docker bridges.
    public static func reported(_ interfaces: [NetworkInterfaceStats]) -> [NetworkInterfaceStats] {
        interfaces.filter { interface in !ignoredPrefixes.contains { interface.name.hasPrefix($0) } }
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return text
    }
}
