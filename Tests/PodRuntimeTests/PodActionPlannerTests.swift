import Foundation
import KubeAPI
import Testing

@testable import PodRuntime

/// What the planner sees: the desired pod, the engine's containers and failed liveness probes.
struct PlannerScenario: Sendable {
    var pod: Pod? = TestFixtures.basePod
    /// A ready infra container and `app` running with the spec's hash.
    var containers: [ObservedContainer] = [
        TestFixtures.sandbox(), TestFixtures.container(id: "app-1", state: .running),
    ]
    var unhealthy: Set<String> = []
    /// The network infra containers must be on (nil: not set up yet).
    var network: SandboxNetwork? = .defaultBridge

    var restartPolicy: KubeAPI.RestartPolicy? {
        get { pod?.spec.restartPolicy }
        set { pod?.spec.restartPolicy = newValue }
    }

    /// Replaces the running `app-1` with an exited one.
    mutating func appExited(code: Int) {
        containers[1] = TestFixtures.container(id: "app-1", state: .exited, exitCode: code)
    }
}

/// One row of the table: how the scenario differs from the base, and the whole plan expected.
struct PlannerCase: Sendable, CustomTestStringConvertible {
    var testDescription: String
    var mutate: @Sendable (inout PlannerScenario) -> Void
    var expected: PodActions

    init(_ description: String, _ mutate: @escaping @Sendable (inout PlannerScenario) -> Void, expect build: (inout PodActions) -> Void) {
        testDescription = description
        self.mutate = mutate
        var expected = PodActions()
        build(&expected)
        self.expected = expected
    }
}

private let at = TestFixtures.at
private let appKey = PodActionPlanner.backOffKey(podUID: "uid-1", container: TestFixtures.basePod.spec.containers[0])

/// `app` restarting after `app-1` exited at 60 s.
private func restartAfterExit(restartCount: Int = 1, failedAt: Date = at(60)) -> PodActions.Start {
    PodActions.Start(index: 0, name: "app", restartCount: restartCount, backOffKey: appKey, failedAt: failedAt)
}

private let plannerCases: [PlannerCase] = [
    PlannerCase("a pod with no containers gets an infra container and app with restart count 0", { $0.containers = [] }) {
        $0.createSandbox = true
        $0.sandboxAttempt = 0
        $0.containersToStart = [.init(index: 0, name: "app", restartCount: 0)]
    },
    PlannerCase("a ready pod whose app runs the current spec needs nothing", { _ in }) {
        $0.sandboxID = "infra-1"
    },
    PlannerCase("app exiting with 1 under Always restarts", { $0.appExited(code: 1) }) {
        $0.sandboxID = "infra-1"
        $0.containersToStart = [restartAfterExit()]
    },
    PlannerCase("app exiting with 0 under Always restarts", { $0.appExited(code: 0) }) {
        $0.sandboxID = "infra-1"
        $0.containersToStart = [restartAfterExit()]
    },
    PlannerCase("app exiting with 1 under OnFailure restarts", { $0.restartPolicy = "OnFailure"; $0.appExited(code: 1) }) {
        $0.sandboxID = "infra-1"
        $0.containersToStart = [restartAfterExit()]
    },
    PlannerCase("app exiting with 0 under OnFailure stays exited", { $0.restartPolicy = "OnFailure"; $0.appExited(code: 0) }) {
        $0.sandboxID = "infra-1"
    },
    PlannerCase("app exiting with 1 under Never stays exited", { $0.restartPolicy = "Never"; $0.appExited(code: 1) }) {
        $0.sandboxID = "infra-1"
    },
    PlannerCase(
        "a running app whose spec hash differs is killed and started again with restart count 1",
        { $0.containers[1].specHash = "stale" }
    ) {
        $0.sandboxID = "infra-1"
        $0.containersToKill = [.init(containerID: "app-1", name: "app", reason: "Container spec changed")]
        $0.containersToStart = [.init(index: 0, name: "app", restartCount: 1)]
    },
    PlannerCase(
        "an infra container running without an address recreates the whole pod with the next attempt",
        { $0.containers[0] = TestFixtures.sandbox(attempt: 2, ip: nil) }
    ) {
        $0.killPod = true
        $0.killPodReason = "infra container changed, recreating the pod"
        $0.createSandbox = true
        $0.sandboxAttempt = 3
        $0.containersToStart = [.init(index: 0, name: "app", restartCount: 1)]
    },
    PlannerCase(
        "a dead infra container recreates the whole pod with the next attempt",
        { $0.containers[0] = TestFixtures.sandbox(state: .exited, attempt: 2) }
    ) {
        $0.killPod = true
        $0.killPodReason = "infra container changed, recreating the pod"
        $0.createSandbox = true
        $0.sandboxAttempt = 3
        $0.containersToStart = [.init(index: 0, name: "app", restartCount: 1)]
    },
    PlannerCase(
        "an infra container on the default bridge while pods join the pod network recreates the pod, app counting 1",
        { $0.network = TestFixtures.podNetwork }
    ) {
        $0.killPod = true
        $0.killPodReason = "infra container is on network bridge, pods now join clc-pods (net-2): recreating the pod"
        $0.createSandbox = true
        $0.sandboxAttempt = 1
        $0.containersToStart = [.init(index: 0, name: "app", restartCount: 1)]
    },
    PlannerCase(
        "an infra container on an earlier pod network of the same name recreates the pod",
        {
            $0.network = TestFixtures.podNetwork
            $0.containers[0] = TestFixtures.sandbox(attempt: 1, network: TestFixtures.earlierPodNetwork)
        }
    ) {
        $0.killPod = true
        $0.killPodReason = "infra container is on network clc-pods (net-1), pods now join clc-pods (net-2): recreating the pod"
        $0.createSandbox = true
        $0.sandboxAttempt = 2
        $0.containersToStart = [.init(index: 0, name: "app", restartCount: 1)]
    },
    PlannerCase(
        "an infra container on the pod network is left alone",
        {
            $0.network = TestFixtures.podNetwork
            $0.containers[0] = TestFixtures.sandbox(network: TestFixtures.podNetwork)
        }
    ) {
        $0.sandboxID = "infra-1"
    },
    PlannerCase(
        "an infra container on a pod network once none is configured returns the pod to the default bridge",
        { $0.containers[0] = TestFixtures.sandbox(network: TestFixtures.podNetwork) }
    ) {
        $0.killPod = true
        $0.killPodReason = "infra container is on network clc-pods (net-2), pods now join bridge: recreating the pod"
        $0.createSandbox = true
        $0.sandboxAttempt = 1
        $0.containersToStart = [.init(index: 0, name: "app", restartCount: 1)]
    },
    PlannerCase(
        "while the pod network is being set up no infra container is judged by its network",
        { $0.network = nil }
    ) {
        $0.sandboxID = "infra-1"
    },
    PlannerCase(
        "a Never pod whose infra container is on another network after its containers ran is killed and not recreated",
        { $0.restartPolicy = "Never"; $0.network = TestFixtures.podNetwork }
    ) {
        $0.killPod = true
        $0.killPodReason = "infra container is gone and the pod does not restart"
    },
    PlannerCase(
        "a Never pod whose infra container died after its containers ran gets no new infra container",
        {
            $0.restartPolicy = "Never"
            $0.containers = [TestFixtures.sandbox(state: .exited), TestFixtures.container(id: "app-1", state: .exited, exitCode: 0)]
        }
    ) { _ in },
    PlannerCase("a pod being deleted is killed and nothing starts", { $0.pod?.metadata.deletionTimestamp = "2023-11-14T22:14:00Z" }) {
        $0.killPod = true
        $0.killPodReason = "pod is being deleted"
    },
    PlannerCase("a pod being deleted whose app exited is killed and app does not restart", {
        $0.pod?.metadata.deletionTimestamp = "2023-11-14T22:14:00Z"
        $0.appExited(code: 1)
    }) {
        $0.killPod = true
        $0.killPodReason = "pod is being deleted"
    },
    PlannerCase("a removed pod with running containers is killed", { $0.pod = nil }) {
        $0.killPod = true
        $0.killPodReason = "pod is being deleted"
    },
    PlannerCase(
        "a running container whose name left the spec is killed",
        { $0.containers.append(TestFixtures.container(id: "sidecar-1", name: "sidecar", state: .running, hash: "x")) }
    ) {
        $0.sandboxID = "infra-1"
        $0.containersToKill = [.init(containerID: "sidecar-1", name: "sidecar", reason: "Container is no longer in the pod spec")]
    },
    PlannerCase("a running app whose liveness failed is killed and restarted", { $0.unhealthy = ["app-1"] }) {
        $0.sandboxID = "infra-1"
        $0.containersToKill = [.init(containerID: "app-1", name: "app", reason: "Container failed liveness probe")]
        $0.containersToStart = [.init(index: 0, name: "app", restartCount: 1)]
    },
    PlannerCase(
        "a running app whose liveness failed, and whose previous instance died 40 s ago, is killed and restarted from that death",
        {
            $0.unhealthy = ["app-2"]
            $0.containers = [
                TestFixtures.sandbox(),
                TestFixtures.container(id: "app-2", state: .running, restartCount: 1, created: at(61), started: at(61)),
                TestFixtures.container(id: "app-1", state: .exited, exitCode: 137),
            ]
        }
    ) {
        $0.sandboxID = "infra-1"
        $0.containersToKill = [.init(containerID: "app-2", name: "app", reason: "Container failed liveness probe")]
        $0.containersToStart = [restartAfterExit(restartCount: 2)]
    },
    PlannerCase(
        "a running app whose liveness failed under Never is killed only",
        { $0.restartPolicy = "Never"; $0.unhealthy = ["app-1"] }
    ) {
        $0.sandboxID = "infra-1"
        $0.containersToKill = [.init(containerID: "app-1", name: "app", reason: "Container failed liveness probe")]
    },
    PlannerCase(
        "dead instances beyond the newest per container are removed, and the restart counts from the newest",
        {
            $0.containers = [
                TestFixtures.sandbox(id: "infra-0", state: .exited, created: at(-10)),
                TestFixtures.sandbox(id: "infra-1", attempt: 1),
                TestFixtures.container(id: "app-1", state: .exited, restartCount: 0, exitCode: 1, created: at(10), started: at(11), finished: at(15)),
                TestFixtures.container(id: "app-3", state: .exited, restartCount: 2, exitCode: 1, created: at(30), started: at(31), finished: at(60)),
                TestFixtures.container(id: "app-2", state: .exited, restartCount: 1, exitCode: 1, created: at(20), started: at(21), finished: at(25)),
            ]
        }
    ) {
        $0.sandboxID = "infra-1"
        $0.containersToRemove = ["app-2", "app-1", "infra-0"]
        $0.containersToStart = [restartAfterExit(restartCount: 3)]
    },
]

@Suite("Planning a pod's actions")
struct PodActionPlannerTests {
    @Test("the plan for each situation", arguments: plannerCases)
    func plan(_ testCase: PlannerCase) {
        var scenario = PlannerScenario()
        testCase.mutate(&scenario)
        let actions = PodActionPlanner(network: scenario.network).plan(
            pod: scenario.pod, observed: ObservedPod(uid: "uid-1", containers: scenario.containers),
            backOff: BackOff(), now: at(100), unhealthy: scenario.unhealthy)
        #expect(actions == testCase.expected)
    }

    @Test("a plan that starts, kills or removes nothing is empty")
    func emptiness() {
        let scenario = PlannerScenario()
        let actions = PodActionPlanner().plan(
            pod: scenario.pod, observed: ObservedPod(uid: "uid-1", containers: scenario.containers),
            backOff: BackOff(), now: at(100))
        #expect(actions.isEmpty)
    }

    @Test(
        "whether an exited container restarts depends on the policy and its exit code",
        arguments: [
            ("Always", 0, true), ("Always", 1, true), ("OnFailure", 0, false), ("OnFailure", 1, true),
            ("Never", 0, false), ("Never", 1, false),
        ])
    func shouldRestart(policy: String, exitCode: Int, restarts: Bool) {
        let container = TestFixtures.container(id: "app-1", state: .exited, exitCode: exitCode)
        #expect(PodActionPlanner.shouldRestart(container, policy: .init(rawValue: policy)) == restarts)
    }
}
