import Foundation
import KubeAPI
import Testing
import TestSupport

/// The agent's state directory (pod volumes, certificates) on a small tmpfs of the test's own,
/// its pod volumes made read-only and then the whole filled while the agent runs a pod. (The
/// read-only part is a read-only bind mount of `pods/` on itself: the tmpfs itself cannot be
/// remounted read-only while the agent's log, which the test keeps beside it, is open.)
@Suite("A state directory that cannot be written")
struct StateDirectoryFaultTests {
    /// A pod with an emptyDir and no service account token: its emptyDir is the one thing the
    /// agent writes for it. (The steady pod has the token volume the master adds, which every
    /// sync writes again: it must keep running while those writes fail.)
    static func scratchPod(_ name: String) -> Data {
        Data(
            """
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "\(name)"},
             "spec": {"terminationGracePeriodSeconds": 2, "automountServiceAccountToken": false, "volumes": [{"name": "scratch", "emptyDir": {}}],
                      "containers": [{"name": "app", "image": "clc-test/busybox:latest", "imagePullPolicy": "IfNotPresent",
                                      "command": ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"],
                                      "volumeMounts": [{"name": "scratch", "mountPath": "/scratch"}]}]}}
            """.utf8)
    }

    static func waiting(_ cluster: Cluster, _ pod: String) -> ContainerStateWaiting? {
        cluster.pod(pod)?.status?.containerStatuses?.first?.state?.waiting
    }

    @Test(
        "read-only, then full: a new pod's volume fails with CreateContainerConfigError naming the field and the cause, the running pod is untouched, and the new pod runs once the directory can be written again"
    )
    func readOnlyThenFull() async throws {
        guard getuid() == 0 else { throw TestEnvironmentError("mounting a small tmpfs needs root") }
        let directory = try TestEnvironment.temporaryDirectory("clc-small-state")
        try await HostCommand.check("/bin/mount", ["-t", "tmpfs", "-o", "size=4m,nr_inodes=512", "clc-small-state", directory])
        let cluster: Cluster
        do {
            cluster = try Cluster("state-fault", stateDirectory: directory)
        } catch {
            _ = try? await HostCommand.run("/bin/umount", [directory])
            throw error
        }
        let fillers = directory + "/fillers"
        do {
            _ = try cluster.master.apply(Data(busyboxPod(name: "steady").utf8))
            try await eventually("the first pod Running and Ready", timeout: .seconds(60)) {
                cluster.runningPods().contains { $0.metadata.name == "steady" }
            }
            let steady = try #require(try await cluster.fixture.docker.runningApps(node: cluster.fixture.node).first)

            // Read-only.
            let pods = directory + "/pods"
            try FileManager.default.createDirectory(atPath: pods, withIntermediateDirectories: true)
            try await HostCommand.check("/bin/mount", ["--bind", pods, pods])
            try await HostCommand.check("/bin/mount", ["-o", "remount,bind,ro", pods])
            _ = try cluster.master.apply(Self.scratchPod("scratch-ro"))
            try await eventually("the new pod waiting, its emptyDir named", timeout: .seconds(20)) {
                let waiting = Self.waiting(cluster, "scratch-ro")
                return waiting?.reason == "CreateContainerConfigError" && waiting?.message?.contains("spec.volumes[0].emptyDir") == true
            }
            let readOnlyMessage = Self.waiting(cluster, "scratch-ro")?.message ?? ""
            #expect(readOnlyMessage.lowercased().contains("read-only") || readOnlyMessage.lowercased().contains("read only"), "\(readOnlyMessage)")
            try await HostCommand.check("/bin/umount", [pods])
            try await eventually("the new pod running once the directory is writable", timeout: .seconds(30)) {
                cluster.runningPods().contains { $0.metadata.name == "scratch-ro" }
            }

            // Full: no inode left.
            try FileManager.default.createDirectory(atPath: fillers, withIntermediateDirectories: false)
            var created = 0
            while created < 10_000, FileManager.default.createFile(atPath: "\(fillers)/\(created)", contents: nil) { created += 1 }
            _ = try cluster.master.apply(Self.scratchPod("scratch-full"))
            try await eventually("the next pod waiting, its emptyDir named", timeout: .seconds(20)) {
                let waiting = Self.waiting(cluster, "scratch-full")
                return waiting?.reason == "CreateContainerConfigError" && waiting?.message?.contains("spec.volumes[0].emptyDir") == true
            }
            let fullMessage = Self.waiting(cluster, "scratch-full")?.message ?? ""
            #expect(fullMessage.lowercased().contains("space"), "\(fullMessage)")
            try FileManager.default.removeItem(atPath: fillers)
            try await eventually("the next pod running once there is room", timeout: .seconds(30)) {
                cluster.runningPods().contains { $0.metadata.name == "scratch-full" }
            }

            let now = try await cluster.fixture.docker.runningApps(node: cluster.fixture.node)
            #expect(now.contains { $0.id == steady.id }, "the first pod's container kept running throughout")
            #expect(cluster.pod("steady")?.status?.containerStatuses?.first?.restartCount == 0)
            #expect(cluster.fixture.agent.isRunning)
        } catch {
            Issue.record("agent log:\n\(cluster.fixture.agent.log.suffix(4000))")
            await Self.tearDown(cluster, directory)
            throw error
        }
        await Self.tearDown(cluster, directory)
    }

    static func tearDown(_ cluster: Cluster, _ directory: String) async {
        _ = try? await HostCommand.run("/bin/umount", [directory + "/pods"])
        await cluster.tearDown()
        _ = try? await HostCommand.run("/bin/umount", [directory])
        try? FileManager.default.removeItem(atPath: directory)
    }
}
