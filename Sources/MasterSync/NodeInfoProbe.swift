import Foundation
import KubeAPI

/// Reads what the node reports about itself: capacity, kernel, OS, machine and boot IDs.
public enum NodeInfoProbe {
    public static func capacity() -> [String: Quantity] {
        var capacity: [String: Quantity] = [
            "cpu": Quantity(String(ProcessInfo.processInfo.activeProcessorCount)),
            "pods": Quantity(String(NodeCapacity.defaultMaxPods)),
        ]
        if let meminfo = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
            let line = meminfo.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first
        {
            capacity["memory"] = Quantity("\(kilobytes)Ki")
        }
        return capacity
    }

    /// - Parameters:
    ///   - runtimeVersion: e.g. `docker://20.10.24`.
    ///   - agentVersion: reported as kubelet and kube-proxy version.
    public static func systemInfo(runtimeVersion: String, agentVersion: String) -> NodeSystemInfo {
        var name = utsname()
        uname(&name)
        let kernel = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let machine = withUnsafeBytes(of: &name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return NodeSystemInfo(
            machineID: read("/etc/machine-id"), systemUUID: read("/sys/class/dmi/id/product_uuid"),
            bootID: read("/proc/sys/kernel/random/boot_id"), kernelVersion: kernel, osImage: osImage(),
            containerRuntimeVersion: runtimeVersion, kubeletVersion: agentVersion, kubeProxyVersion: agentVersion,
            operatingSystem: "linux", architecture: machine == "x86_64" ? "amd64" : machine == "aarch64" ? "arm64" : machine)
    }

    static func osImage() -> String {
        guard let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8) else { return "Linux" }
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return "Linux"
    }

    private static func read(_ path: String) -> String {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
