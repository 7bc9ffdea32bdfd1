import Foundation
import KubeAPI
import Testing

@testable import PodRuntime

/// One row of the phase table: the pod's restart policy and containers, what the engine holds
/// besides a ready infra container, why containers wait, and the phase kubelet's getPhase gives.
struct PhaseCase: Sendable, CustomTestStringConvertible {
    var testDescription: String
    var restartPolicy: String
    var specs: [String] = ["app"]
    var containers: [ObservedContainer]
    var waiting: [String: PodActions.Waiting] = [:]
    var phase: String
}

private let at = TestFixtures.at
private let crashLoop = PodActions.Waiting(reason: "CrashLoopBackOff", message: "back-off 10s restarting failed container=app pod=default/web")

private func running(_ id: String, name: String = "app") -> ObservedContainer {
    TestFixtures.container(id: id, name: name, state: .running)
}

private func exited(_ id: String, code: Int, name: String = "app") -> ObservedContainer {
    TestFixtures.container(id: id, name: name, state: .exited, exitCode: code)
}

private let phaseCases: [PhaseCase] = [
    PhaseCase(testDescription: "a container that never started leaves the pod Pending", restartPolicy: "Always", containers: [], phase: "Pending"),
    PhaseCase(
        testDescription: "a container waiting for its image leaves the pod Pending", restartPolicy: "Always", containers: [],
        waiting: ["app": .init(reason: "ErrImagePull", message: "no such host")], phase: "Pending"),
    PhaseCase(testDescription: "a running container makes the pod Running", restartPolicy: "Always", containers: [running("a")], phase: "Running"),
    PhaseCase(
        testDescription: "one running container and one never started leave the pod Pending", restartPolicy: "Always",
        specs: ["app", "sidecar"], containers: [running("a")], phase: "Pending"),
    PhaseCase(
        testDescription: "a crash-looping container under Always keeps the pod Running", restartPolicy: "Always",
        containers: [exited("a", code: 1)], waiting: ["app": crashLoop], phase: "Running"),
    PhaseCase(
        testDescription: "a container that exited 0 under Always keeps the pod Running", restartPolicy: "Always",
        containers: [exited("a", code: 0)], phase: "Running"),
    PhaseCase(
        testDescription: "a container that exited 0 under OnFailure makes the pod Succeeded", restartPolicy: "OnFailure",
        containers: [exited("a", code: 0)], phase: "Succeeded"),
    PhaseCase(
        testDescription: "a crash-looping container under OnFailure keeps the pod Running", restartPolicy: "OnFailure",
        containers: [exited("a", code: 1)], waiting: ["app": crashLoop], phase: "Running"),
    PhaseCase(
        testDescription: "a container that exited 0 under Never makes the pod Succeeded", restartPolicy: "Never",
        containers: [exited("a", code: 0)], phase: "Succeeded"),
    PhaseCase(
        testDescription: "a container that exited 1 under Never makes the pod Failed", restartPolicy: "Never",
        containers: [exited("a", code: 1)], phase: "Failed"),
    PhaseCase(
        testDescription: "under Never, one container still running keeps the pod Running", restartPolicy: "Never",
        specs: ["app", "sidecar"], containers: [exited("a", code: 1), running("s", name: "sidecar")], phase: "Running"),
]

@Suite("Pod status from the engine's containers")
struct PodStatusBuilderTests {
    let builder = PodStatusBuilder(hostIP: "192.168.1.10")

    func pod(restartPolicy: String = "Always", specs: [Container] = [Container(name: "app", image: "redis:7")]) -> Pod {
        var pod = TestFixtures.basePod
        pod.spec.restartPolicy = .init(rawValue: restartPolicy)
        pod.spec.containers = specs.map { $0.withDefaults() }
        return pod
    }

    func observed(_ containers: [ObservedContainer]) -> ObservedPod {
        ObservedPod(uid: "uid-1", containers: [TestFixtures.sandbox()] + containers)
    }

    func condition(_ status: PodStatus, _ type: String) -> PodCondition? {
        status.conditions?.first { $0.type == type }
    }

    @Test("the phase follows kubelet's getPhase", arguments: phaseCases)
    func phase(_ testCase: PhaseCase) {
        let pod = pod(restartPolicy: testCase.restartPolicy, specs: testCase.specs.map { Container(name: $0, image: "redis:7") })
        let status = builder.build(pod: pod, observed: observed(testCase.containers), waiting: testCase.waiting, previous: nil, now: at(100))
        #expect(status.phase == testCase.phase)
    }

    @Test("a crash-looping container shows the waiting reason, its last termination, restart count and container ID")
    func crashLooping() throws {
        let containers = [
            TestFixtures.container(id: "app-2", state: .exited, restartCount: 2, exitCode: 1, created: at(20), started: at(21), finished: at(25)),
            TestFixtures.container(id: "app-1", state: .exited, restartCount: 1, exitCode: 1, created: at(10), started: at(11), finished: at(15)),
        ]
        let status = builder.build(pod: pod(), observed: observed(containers), waiting: ["app": crashLoop], previous: nil, now: at(30))
        let app = try #require(status.containerStatuses?.first)
        #expect(app.state == ContainerState(waiting: ContainerStateWaiting(reason: "CrashLoopBackOff", message: crashLoop.message)))
        #expect(
            app.lastState
                == ContainerState(
                    terminated: ContainerStateTerminated(
                        exitCode: 1, reason: "Error", startedAt: KubeTime.format(at(21)), finishedAt: KubeTime.format(at(25)),
                        containerID: "docker://app-2")))
        #expect(app.restartCount == 2)
        #expect(app.containerID == "docker://app-2")
        #expect(app.ready == false)
        #expect(app.started == false)
        #expect(status.phase == "Running")
        #expect(condition(status, "Ready")?.status == "False")
        #expect(condition(status, "Ready")?.reason == "ContainersNotReady")
        #expect(condition(status, "ContainersReady")?.status == "False")
    }

    @Test("a running container is ready without a readiness probe, and the pod gets the infra container's address")
    func runningAndReady() throws {
        let containers = [
            TestFixtures.container(id: "app-2", state: .running, restartCount: 1, created: at(20), started: at(21)),
            TestFixtures.container(id: "app-1", state: .exited, restartCount: 0, exitCode: 0, created: at(10), started: at(11), finished: at(15)),
        ]
        let status = builder.build(pod: pod(), observed: observed(containers), waiting: [:], previous: nil, now: at(30))
        let app = try #require(status.containerStatuses?.first)
        #expect(app.state == ContainerState(running: ContainerStateRunning(startedAt: KubeTime.format(at(21)))))
        #expect(app.lastState?.terminated?.reason == "Completed")
        #expect(app.lastState?.terminated?.containerID == "docker://app-1")
        #expect(app.ready)
        #expect(app.started == true)
        #expect(app.restartCount == 1)
        #expect(app.containerID == "docker://app-2")
        #expect(app.imageID == "docker://sha256:redis")
        #expect(app.image == "redis:7")
        #expect(status.podIP == "10.1.0.5")
        #expect(status.podIPs == [PodIP(ip: "10.1.0.5")])
        #expect(status.hostIP == "192.168.1.10")
        #expect(status.startTime == KubeTime.format(at(0)))
        #expect(condition(status, "Ready")?.status == "True")
        #expect(condition(status, "ContainersReady")?.status == "True")
        #expect(condition(status, "Initialized")?.status == "True")
        #expect(condition(status, "PodScheduled")?.status == "True")
    }

    @Test("a container with a readiness probe is ready only when the probe says so")
    func readinessProbe() throws {
        let spec = Container(name: "app", image: "redis:7", readinessProbe: Probe(exec: ExecAction(command: ["true"])))
        let containers = [TestFixtures.container(id: "app-1", state: .running, hash: nil)]
        let notYet = builder.build(pod: pod(specs: [spec]), observed: observed(containers), waiting: [:], previous: nil, now: at(30))
        #expect(notYet.containerStatuses?.first?.ready == false)
        #expect(condition(notYet, "Ready")?.status == "False")
        #expect(notYet.phase == "Running")

        let ready = builder.build(
            pod: pod(specs: [spec]), observed: observed(containers), waiting: [:], readiness: ["app-1": true], previous: notYet, now: at(40))
        #expect(ready.containerStatuses?.first?.ready == true)
        #expect(condition(ready, "Ready")?.status == "True")
        #expect(condition(ready, "Ready")?.lastTransitionTime == KubeTime.format(at(40)))
        #expect(condition(ready, "Initialized")?.lastTransitionTime == KubeTime.format(at(30)), "unchanged conditions keep their time")
    }

    @Test("a container that has not been created yet waits with the reason of the last sync, or ContainerCreating")
    func notCreated() throws {
        let waiting = builder.build(pod: pod(), observed: observed([]), waiting: [:], previous: nil, now: at(30))
        #expect(waiting.containerStatuses?.first?.state?.waiting?.reason == "ContainerCreating")
        #expect(waiting.containerStatuses?.first?.containerID == nil)

        let pulling = builder.build(
            pod: pod(), observed: observed([]), waiting: ["app": .init(reason: "ImagePullBackOff", message: "Back-off pulling image \"redis:7\"")],
            previous: nil, now: at(30))
        #expect(pulling.containerStatuses?.first?.state?.waiting == ContainerStateWaiting(reason: "ImagePullBackOff", message: "Back-off pulling image \"redis:7\""))
    }

    @Test(
        "a termination's reason says how it ended",
        arguments: [
            (0, false, nil, "Completed"), (1, false, nil, "Error"), (137, true, nil, "OOMKilled"),
            (128, false, "exec: \"nope\": executable file not found", "ContainerCannotRun"),
        ] as [(Int, Bool, String?, String)])
    func terminationReason(exitCode: Int, oomKilled: Bool, error: String?, reason: String) {
        var container = TestFixtures.container(id: "a", state: .exited, exitCode: exitCode)
        container.oomKilled = oomKilled
        container.error = error
        #expect(PodStatusBuilder.terminated(container).reason == reason)
        #expect(PodStatusBuilder.terminated(container).message == error)
    }
}
