/// kubelet's `/stats/summary` (k8s.io/kubelet/pkg/apis/stats/v1alpha1), with its JSON field
/// names. Times are RFC 3339 strings as `metav1.Time` writes them; a nil field is left out of
/// the JSON, as kubelet leaves out what it does not know.
public struct Summary: Codable, Sendable, Equatable {
    public var node: NodeStats
    public var pods: [PodStats]

    public struct NodeStats: Codable, Sendable, Equatable {
        public var nodeName: String
        public var systemContainers: [ContainerStats]?
        public var startTime: String
        public var cpu: CPU?
        public var memory: Memory?
        public var network: Network?
        public var fs: Filesystem?
        public var runtime: Runtime?
        public var rlimit: RLimit?
    }

    public struct Runtime: Codable, Sendable, Equatable {
        public var imageFs: Filesystem?
    }

    public struct RLimit: Codable, Sendable, Equatable {
        public var time: String
        public var maxpid: UInt64?
        public var curproc: UInt64?
    }

    public struct PodStats: Codable, Sendable, Equatable {
        public var podRef: PodReference
        public var startTime: String
        public var containers: [ContainerStats]
        public var cpu: CPU?
        public var memory: Memory?
        public var network: Network?
        public var volume: [Filesystem]?
        public var ephemeralStorage: Filesystem?

        enum CodingKeys: String, CodingKey {
            case podRef, startTime, containers, cpu, memory, network, volume
            case ephemeralStorage = "ephemeral-storage"
        }
    }

    public struct PodReference: Codable, Sendable, Equatable {
        public var name: String
        public var namespace: String
        public var uid: String
    }

    public struct ContainerStats: Codable, Sendable, Equatable {
        public var name: String
        public var startTime: String
        public var cpu: CPU?
        public var memory: Memory?
        public var rootfs: Filesystem?
        public var logs: Filesystem?
    }

    public struct CPU: Codable, Sendable, Equatable {
        public var time: String
        public var usageNanoCores: UInt64?
        public var usageCoreNanoSeconds: UInt64?
    }

    public struct Memory: Codable, Sendable, Equatable {
        public var time: String
        public var availableBytes: UInt64?
        public var usageBytes: UInt64?
        public var workingSetBytes: UInt64?
        public var rssBytes: UInt64?
        public var pageFaults: UInt64?
        public var majorPageFaults: UInt64?
    }

    public struct Network: Codable, Sendable, Equatable {
        public var time: String
        /// The `eth0` interface's figures inline, as kubelet writes them (absent without eth0).
        public var name: String?
        public var rxBytes: UInt64?
        public var rxErrors: UInt64?
        public var txBytes: UInt64?
        public var txErrors: UInt64?
        public var interfaces: [Interface]?
    }

    public struct Interface: Codable, Sendable, Equatable {
        public var name: String
        public var rxBytes: UInt64?
        public var rxErrors: UInt64?
        public var txBytes: UInt64?
        public var txErrors: UInt64?
    }

    public struct Filesystem: Codable, Sendable, Equatable {
        public var time: String
        public var availableBytes: UInt64?
        public var capacityBytes: UInt64?
        public var usedBytes: UInt64?
        public var inodesFree: UInt64?
        public var inodes: UInt64?
        public var inodesUsed: UInt64?
    }
}
