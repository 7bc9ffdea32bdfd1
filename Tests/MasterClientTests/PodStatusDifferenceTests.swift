import KubeAPI
import MasterSync
import Testing

/// The reconcile decision of the pod status reporter (kubelet's needsReconcile): a status the
/// agent wants, the master's copy made from it by one mutation, and whether it is written again.
@Suite("whether the master's copy of a pod status needs the agent's written again")
struct PodStatusDifferenceTests {
    static let wanted = PodStatus(
        phase: "Running",
        conditions: [
            PodCondition(type: "Initialized", status: "True", lastTransitionTime: "2026-12-03T10:00:00Z"),
            PodCondition(type: "Ready", status: "True", lastTransitionTime: "2026-12-03T10:00:05Z"),
            PodCondition(type: "ContainersReady", status: "True", lastTransitionTime: "2026-12-03T10:00:05Z"),
            PodCondition(type: "PodScheduled", status: "True", lastTransitionTime: "2026-12-03T09:59:59Z"),
        ],
        hostIP: "10.0.0.5", podIP: "172.17.0.4", podIPs: [PodIP(ip: "172.17.0.4")], startTime: "2026-12-03T10:00:00Z",
        containerStatuses: [
            ContainerStatus(
                name: "app", state: ContainerState(running: ContainerStateRunning(startedAt: "2026-12-03T10:00:03Z")), ready: true,
                image: "redis", imageID: "docker://sha256:aa", containerID: "docker://1111", started: true),
            ContainerStatus(
                name: "sidecar", state: ContainerState(running: ContainerStateRunning(startedAt: "2026-12-03T10:00:04Z")),
                lastState: ContainerState(
                    terminated: ContainerStateTerminated(
                        exitCode: 1, reason: "Error", startedAt: "2026-12-03T10:00:01Z", finishedAt: "2026-12-03T10:00:02Z")),
                ready: true, restartCount: 1, image: "busybox", imageID: "docker://sha256:bb", containerID: "docker://2222",
                started: true),
        ],
        qosClass: "BestEffort")

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var mutate: @Sendable (inout PodStatus) -> Void
        var differing: [String]
        var testDescription: String { name }
    }

    static func setCondition(_ type: String, in status: inout PodStatus, _ change: (inout PodCondition) -> Void) {
        guard let index = status.conditions?.firstIndex(where: { $0.type == type }) else { return }
        change(&status.conditions![index])
    }

    static let cases: [Case] = [
        Case(name: "the same status: no write", mutate: { _ in }, differing: []),
        Case(
            name: "times with fractions of the same second and containers in another order: no write",
            mutate: { status in
                status.startTime = "2026-12-03T10:00:00.734Z"
                status.containerStatuses?.reverse()
                status.containerStatuses?[0].state?.running?.startedAt = "2026-12-03T10:00:04.999999Z"
                status.containerStatuses?[0].lastState?.terminated?.finishedAt = "2026-12-03T10:00:02.5Z"
                setCondition("Ready", in: &status) { $0.lastTransitionTime = "2026-12-03T10:00:05.1Z" }
            }, differing: []),
        Case(
            name: "the same instant written with an offset: no write",
            mutate: { $0.startTime = "2026-12-03T11:00:00+01:00" }, differing: []),
        Case(
            name: "conditions in another order, with other transition times and the qosClass gone: no write",
            mutate: { status in
                status.conditions?.reverse()
                setCondition("PodScheduled", in: &status) { $0.lastTransitionTime = "2026-12-03T09:00:00Z" }
                status.qosClass = nil
            }, differing: []),
        Case(
            name: "a condition the agent does not own, added by a controller: no write",
            mutate: { $0.conditions?.append(PodCondition(type: "DisruptionTarget", status: "True", reason: "EvictionByEvictionAPI")) },
            differing: []),
        Case(
            name: "Ready set False by the node lifecycle controller: write",
            mutate: { status in setCondition("Ready", in: &status) { $0.status = "False" } },
            differing: ["conditions[Ready].status"]),
        Case(
            name: "Ready and ContainersReady set False: write",
            mutate: { status in
                setCondition("Ready", in: &status) { $0.status = "False" }
                setCondition("ContainersReady", in: &status) { $0.status = "False" }
            },
            differing: ["conditions[Ready].status", "conditions[ContainersReady].status"]),
        Case(
            name: "the Ready condition removed: write",
            mutate: { $0.conditions?.removeAll { $0.type == "Ready" } }, differing: ["conditions[Ready]"]),
        Case(
            name: "containerStatuses dropped by another client's PUT: write",
            mutate: { $0.containerStatuses = nil }, differing: ["containerStatuses"]),
        Case(
            name: "a restart count that went back: write",
            mutate: { $0.containerStatuses?[1].restartCount = 0 }, differing: ["containerStatuses"]),
        Case(
            name: "a container start time a second off: write",
            mutate: { $0.containerStatuses?[0].state?.running?.startedAt = "2026-12-03T10:00:04Z" }, differing: ["containerStatuses"]),
        Case(
            name: "phase, addresses and start time overwritten: write",
            mutate: { status in
                status.phase = "Pending"
                status.podIP = nil
                status.podIPs = nil
                status.hostIP = "10.0.0.6"
                status.startTime = "2026-12-03T10:00:01Z"
            },
            differing: ["phase", "podIP", "podIPs", "hostIP", "startTime"]),
        Case(name: "no status at all on the master: write", mutate: { $0 = PodStatus() }, differing: [
            "phase", "conditions[Initialized]", "conditions[Ready]", "conditions[ContainersReady]", "conditions[PodScheduled]",
            "containerStatuses", "podIP", "podIPs", "hostIP", "startTime",
        ]),
    ]

    @Test("the master's copy differs from the agent's status on the fields the agent writes", arguments: cases)
    func decision(_ testCase: Case) {
        var master = Self.wanted
        testCase.mutate(&master)
        #expect(PodStatusDifference.fields(master: master, wanted: Self.wanted) == testCase.differing)
        #expect(PodStatusDifference.needsReconcile(master: master, wanted: Self.wanted) == !testCase.differing.isEmpty)
    }

    @Test("a field the agent leaves out, such as a reason on a True condition, never asks for a write it cannot make")
    func fieldsTheAgentLeavesOut() {
        var wanted = Self.wanted
        wanted.podIP = nil
        wanted.podIPs = nil
        var master = Self.wanted
        PodStatusDifferenceTests.setCondition("Ready", in: &master) { $0.reason = "ContainersNotReady" }
        #expect(PodStatusDifference.fields(master: master, wanted: wanted) == [])
        PodStatusDifferenceTests.setCondition("Ready", in: &wanted) {
            $0.status = "False"
            $0.reason = "PodCompleted"
        }
        PodStatusDifferenceTests.setCondition("Ready", in: &master) { $0.status = "False" }
        #expect(PodStatusDifference.fields(master: master, wanted: wanted) == ["conditions[Ready].reason"])
    }
}
