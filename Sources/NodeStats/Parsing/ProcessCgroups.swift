/// `/proc/<pid>/cgroup`: the cgroup of a process in each hierarchy. Reading it from a
/// container's main process finds the container's cgroup whatever Docker's cgroup driver
/// (`/docker/<id>` with cgroupfs, `/system.slice/docker-<id>.scope` with systemd).
public struct ProcessCgroups: Sendable, Equatable {
    /// v1: controller (`cpu`, `cpuacct`, `memory`, `name=systemd`) → path in its hierarchy.
    public var v1: [String: String]
    /// v2: the path in the unified hierarchy (the `0::` line), if any.
    public var unified: String?

    public init(v1: [String: String] = [:], unified: String? = nil) {
        self.v1 = v1
        self.unified = unified
    }

    /// Parses lines `hierarchy-ID:controller-list:path`.
    public init(parsing text: String) {
        self.init()
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let path = String(fields[2])
            if fields[0] == "0" && fields[1].isEmpty {
                unified = path
            } else {
                for controller in fields[1].split(separator: ",") { v1[String(controller)] = path }
            }
        }
    }
}
