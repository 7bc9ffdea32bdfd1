/// Where the cgroup hierarchies are mounted, from `/proc/self/mountinfo`, and so which version
/// the node runs: v1 when the `cpuacct` and `memory` controllers have v1 mounts (a hybrid
/// host's `unified` mount carries no controllers), v2 otherwise.
public struct CgroupMounts: Sendable, Equatable {
    public enum Version: Sendable, Equatable { case v1, v2 }

    /// v1: controller → (mount point, root of the hierarchy inside the mount).
    public var v1: [String: Mount]
    /// The cgroup2 mount, if any.
    public var unified: Mount?

    public struct Mount: Sendable, Equatable {
        public var mountPoint: String
        /// The hierarchy's path the mount shows (`/` unless mounted inside a cgroup namespace or
        /// a bind mount of a sub-tree).
        public var root: String

        public init(mountPoint: String, root: String = "/") {
            self.mountPoint = mountPoint
            self.root = root
        }

        /// The directory of the cgroup `path` (as `/proc/<pid>/cgroup` names it) under this mount.
        public func directory(of path: String) -> String {
            var relative = Substring(path)
            if root != "/", relative.hasPrefix(root) { relative = relative.dropFirst(root.count) }
            while relative.hasPrefix("/") { relative = relative.dropFirst() }
            return relative.isEmpty ? mountPoint : mountPoint + "/" + relative
        }
    }

    public init(v1: [String: Mount] = [:], unified: Mount? = nil) {
        self.v1 = v1
        self.unified = unified
    }

    public var version: Version {
        v1["memory"] != nil && v1["cpuacct"] != nil ? .v1 : .v2
    }

    /// Parses mountinfo lines: `id parent major:minor root mountpoint options [optional...] - fstype source superoptions`.
    public init(parsingMountinfo text: String) {
        self.init()
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let dash = fields.firstIndex(of: "-"), dash >= 5, fields.count > dash + 3 else { continue }
            let fstype = fields[dash + 1]
            let mount = Mount(mountPoint: Self.unescape(fields[4]), root: Self.unescape(fields[3]))
            if fstype == "cgroup2" {
                if unified == nil { unified = mount }
            } else if fstype == "cgroup" {
                for option in fields[dash + 3].split(separator: ",") where Self.v1Controllers.contains(String(option)) {
                    if v1[String(option)] == nil { v1[String(option)] = mount }
                }
            }
        }
    }

    static let v1Controllers: Set<String> = ["cpu", "cpuacct", "memory", "cpuset", "blkio", "pids"]

    /// mountinfo escapes spaces, tabs, newlines and backslashes as octal (`\040`).
    private static func unescape(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var bytes: [UInt8] = []
        var utf8 = Array(field.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "\\"), utf8.count >= 3, let code = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(code)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
