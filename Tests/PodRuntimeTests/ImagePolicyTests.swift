import DockerEngine
import Foundation
import KubeAPI
import Testing

@testable import PodRuntime

@Suite("the image pull policy, decided without the engine")
struct ImagePolicyTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let outage = RegistryOutages.Outage(
        host: "registry.example", failure: .nameResolutionTimedOut, detail: "lookup timed out", since: now, window: .seconds(60))

    static func decide(_ policy: PullPolicy?, present: Bool, backOffUntil: Date? = nil, outage: RegistryOutages.Outage? = nil)
        -> ImagePolicy.Decision
    {
        ImagePolicy.decide(image: "redis", policy: policy, present: present, backOffUntil: backOffUntil, outage: outage, now: now)
    }

    @Test("the image on the node is used with IfNotPresent (the default) and Never; Always pulls it again")
    func presentImage() {
        #expect(Self.decide(nil, present: true) == .use)
        #expect(Self.decide(.ifNotPresent, present: true) == .use)
        #expect(Self.decide(.never, present: true) == .use)
        #expect(Self.decide(.always, present: true) == .pull)
    }

    @Test("an absent image is pulled, except with Never: ErrImageNeverPull, with its warning event, retried in 10 s")
    func absentImage() {
        #expect(Self.decide(.ifNotPresent, present: false) == .pull)
        #expect(Self.decide(.always, present: false) == .pull)
        guard case let .wait(failure, event) = Self.decide(.never, present: false) else {
            Issue.record("Never with no image must wait")
            return
        }
        #expect(failure.waiting.reason == "ErrImageNeverPull")
        #expect(failure.message == "Container image \"redis\" is not present with pull policy of Never")
        #expect(failure.retryAt == Self.now.addingTimeInterval(10))
        #expect(event == ImagePolicy.Event(warning: true, reason: "ErrImageNeverPull", message: failure.message))
    }

    @Test("while a failed pull's back-off runs the container waits in ImagePullBackOff until it ends, without an event")
    func backOff() {
        let until = Self.now.addingTimeInterval(20)
        let decision = Self.decide(.always, present: true, backOffUntil: until, outage: Self.outage)
        #expect(decision == .wait(StartFailure(.imagePullBackOff, message: "Back-off pulling image \"redis\"", now: Self.now, retryAt: until), event: nil))
        #expect(Self.decide(.ifNotPresent, present: true, backOffUntil: until) == .use, "an image that is there needs no pull")
    }

    @Test("a registry that did not answer a moment ago is not asked again")
    func registryDown() {
        #expect(Self.decide(.ifNotPresent, present: false, outage: Self.outage) == .registryDown(Self.outage))
        #expect(Self.decide(.always, present: true, outage: Self.outage) == .registryDown(Self.outage))
    }

    @Test("after a pull: pulled is used; an unreachable registry falls back to the image on the node; otherwise ErrImagePull")
    func outcomes() {
        #expect(
            ImagePolicy.outcome(of: .pulled, image: "redis", present: false, now: Self.now)
                == .use(event: .init(warning: false, reason: "Pulled", message: "Successfully pulled image \"redis\"")))
        let fallback = ImagePolicy.outcome(of: .unreachable(Self.outage, attempted: true), image: "redis", present: true, now: Self.now)
        #expect(fallback == .use(event: .init(
            warning: true, reason: "PullFallbackToLocal",
            message: "Image \"redis\" not pulled: \(Self.outage); using the image present on the node")))
        guard case let .failed(failure, event) = ImagePolicy.outcome(
            of: .unreachable(Self.outage, attempted: false), image: "redis", present: false, now: Self.now)
        else {
            Issue.record("an unreachable registry and no image must fail")
            return
        }
        #expect(failure.waiting.reason == "ErrImagePull" && failure.retryAt == Self.now.addingTimeInterval(1))
        #expect(event.reason == "Failed" && event.message == "Failed to pull image \"redis\": \(Self.outage)")
        let denied = ImagePolicy.outcome(
            of: .failed(.http(operation: "pull redis", status: 404, message: "not found")), image: "redis", present: true, now: Self.now)
        guard case let .failed(deniedFailure, _) = denied else {
            Issue.record("a refused pull fails even with the image present")
            return
        }
        #expect(deniedFailure.message == "Failed to pull image \"redis\": not found")
    }
}
