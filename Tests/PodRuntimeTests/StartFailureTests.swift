import Foundation
import PodRuntime
import Testing

@Suite("Why a container did not start")
struct StartFailureTests {
    private let now = Date(timeIntervalSince1970: 1_000_000)

    @Test("each kind of failure waits with kubelet's reason", arguments: [
        (StartFailure.Kind.invalidConfiguration, "CreateContainerConfigError"), (.imageInspection, "ErrImagePull"),
        (.imageNeverPulled, "ErrImageNeverPull"), (.imagePull, "ErrImagePull"), (.imagePullBackOff, "ImagePullBackOff"),
        (.creation, "CreateContainerError"), (.start, "RunContainerError"), (.postStartHook, "PostStartHookError"),
    ])
    func reasons(kind: StartFailure.Kind, reason: String) {
        let failure = StartFailure(kind, message: "because", now: now)
        #expect(failure.waiting.reason == reason)
        #expect(failure.waiting.message == "because")
    }

    @Test("an engine refusing to start it or a failed hook retries after a second, a refusal needing a change after ten")
    func retryDelays() {
        for kind in [StartFailure.Kind.start, .postStartHook, .imagePull] {
            #expect(StartFailure(kind, message: "", now: now).retryAt == now.addingTimeInterval(1), "\(kind)")
        }
        for kind in [StartFailure.Kind.invalidConfiguration, .creation, .imageInspection, .imageNeverPulled] {
            #expect(StartFailure(kind, message: "", now: now).retryAt == now.addingTimeInterval(10), "\(kind)")
        }
        let backOffEnds = now.addingTimeInterval(37)
        #expect(StartFailure(.imagePullBackOff, message: "", now: now, retryAt: backOffEnds).retryAt == backOffEnds)
    }

    @Test("the syncer holds back every failure but the image's, whose back-off must be asked each sync to be reported")
    func holds() {
        for kind in StartFailure.Kind.allCases {
            let failure = StartFailure(kind, message: "", now: now)
            let imageKinds: Set<StartFailure.Kind> = [.imageInspection, .imageNeverPulled, .imagePull, .imagePullBackOff]
            #expect(failure.holdsUntil == (imageKinds.contains(kind) ? nil : failure.retryAt), "\(kind)")
        }
    }
}

@Suite("Why a pod's infra container was not made")
struct SandboxFailureTests {
    private let now = Date(timeIntervalSince1970: 1_000_000)

    @Test("a pod network still pending is NetworkNotReady and no error; the containers wait in ContainerCreating, two seconds")
    func pendingNetwork() {
        let failure = SandboxFailure(error: PodNetworkError.pending("waiting for the flannel subnet lease"), now: now)
        #expect(failure.kind == .networkNotReady && failure.kind.eventReason == "NetworkNotReady" && !failure.kind.isError)
        #expect(failure.waiting.reason == "ContainerCreating")
        #expect(failure.waiting.message.contains("flannel subnet lease"))
        #expect(failure.retryAt == now.addingTimeInterval(2))
    }

    @Test("any other error is FailedCreatePodSandBox, logged as an error, with the error as message")
    func creation() {
        struct Refused: Error, CustomStringConvertible { var description: String { "engine said no" } }
        let failure = SandboxFailure(error: Refused(), now: now)
        #expect(failure.kind == .creation && failure.kind.eventReason == "FailedCreatePodSandBox" && failure.kind.isError)
        #expect(failure.waiting.reason == "ContainerCreating" && failure.waiting.message == "engine said no")
        #expect(failure.retryAt == now.addingTimeInterval(2))
    }
}
