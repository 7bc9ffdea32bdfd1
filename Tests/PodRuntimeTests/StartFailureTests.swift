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
