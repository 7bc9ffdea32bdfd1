/// The directories of one cgroup, and its name as cAdvisor gives it (the `id` label).
public struct CgroupLocation: Sendable, Equatable {
    public enum Directories: Sendable, Equatable {
        /// v1: the cgroup in the cpu, cpuacct and memory hierarchies (cpu and cpuacct are one
        /// directory where they are co-mounted).
        case v1(cpu: String?, cpuacct: String, memory: String)
        case v2(String)
    }

    /// The cgroup path, e.g. `/docker/<id>` or `/system.slice/docker-<id>.scope`; `/` for the root.
    public var name: String
    public var directories: Directories

    public init(name: String, directories: Directories) {
        self.name = name
        self.directories = directories
    }

    /// The cgroup of a process, from its `/proc/<pid>/cgroup`; nil when the hierarchies it needs
    /// are not mounted or the process is in none of them.
    public static func of(_ process: ProcessCgroups, mounts: CgroupMounts) -> CgroupLocation? {
        switch mounts.version {
        case .v1:
            guard let cpuacctMount = mounts.v1["cpuacct"], let memoryMount = mounts.v1["memory"],
                let cpuacct = process.v1["cpuacct"], let memory = process.v1["memory"]
            else { return nil }
            let cpu = zip(mounts.v1["cpu"], process.v1["cpu"]).map { $0.directory(of: $1) }
            return CgroupLocation(
                name: cpuacct,
                directories: .v1(cpu: cpu, cpuacct: cpuacctMount.directory(of: cpuacct), memory: memoryMount.directory(of: memory)))
        case .v2:
            guard let mount = mounts.unified, let path = process.unified else { return nil }
            return CgroupLocation(name: path, directories: .v2(mount.directory(of: path)))
        }
    }

    /// The root cgroup: the node's CPU use.
    public static func root(mounts: CgroupMounts) -> CgroupLocation? {
        of(ProcessCgroups(v1: ["cpu": "/", "cpuacct": "/", "memory": "/"], unified: "/"), mounts: mounts)
    }

    /// Reads and parses the cgroup's files.
    public func stats(in fileSystem: some StatsFileSystem) -> CgroupStats {
        switch directories {
        case .v1(let cpu, let cpuacct, let memory):
            CgroupFileParser.v1 { file in
                let directory: String? =
                    if file.hasPrefix("cpuacct.") { cpuacct } else if file.hasPrefix("cpu.") { cpu } else { memory }
                return directory.flatMap { fileSystem.read($0 + "/" + file) }
            }
        case .v2(let directory):
            CgroupFileParser.v2 { fileSystem.read(directory + "/" + $0) }
        }
    }
}

private func zip<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
