import Foundation
import Synchronization
import NodeServer
import Testing

@Suite("Authentication of node API requests")
struct RequestAuthenticatorTests {
    let certificates = TestCertificates.shared
    let tokens = FakeTokenReviewer(users: ["good": UserInfo(name: "alice", uid: "u1", groups: ["devs"])])

    func authenticator(anonymous: Bool = false, tokens: (any TokenReviewer)? = nil) -> RequestAuthenticator {
        RequestAuthenticator(
            clientCertificates: ClientCertificateAuthenticator(roots: [certificates.clientCA.certificate]), tokenReviewer: tokens,
            allowsAnonymous: anonymous)
    }

    @Test("a client certificate from the client CA authenticates as its CN with its O as groups")
    func validCertificate() async throws {
        let outcome = await authenticator().authenticate(.init(peerCertificates: [try TestCertificates.der(certificates.client.certificate)]))

        #expect(outcome == .authenticated(UserInfo(name: "system:kube-apiserver", groups: ["system:masters", "ops", "system:authenticated"])))
    }

    @Test("an expired certificate and one from another CA are refused with the reason, even with anonymous requests allowed")
    func badCertificates() async throws {
        for identity in [certificates.expiredClient, certificates.foreignClient] {
            let outcome = await authenticator(anonymous: true).authenticate(
                .init(peerCertificates: [try TestCertificates.der(identity.certificate)]))
            guard case .refused(let reason) = outcome else {
                Issue.record("\(identity.certificate.subject) was not refused: \(outcome)")
                continue
            }
            #expect(reason.contains("verifying certificate of"))
        }
    }

    @Test("a bearer token is reviewed; a bad one is refused, a good one authenticates")
    func bearerTokens() async {
        let authenticator = authenticator(tokens: tokens)

        #expect(
            await authenticator.authenticate(.init(authorization: "Bearer good"))
                == .authenticated(UserInfo(name: "alice", uid: "u1", groups: ["devs", "system:authenticated"])))
        #expect(await authenticator.authenticate(.init(authorization: "bearer good")) != .refused(reason: ""))
        guard case .refused(let reason) = await authenticator.authenticate(.init(authorization: "Bearer bad")) else {
            Issue.record("a bad token authenticated")
            return
        }
        #expect(reason == "bearer token: unknown token")
    }

    @Test("a token reviewer that cannot reach the master refuses with the error")
    func unreachableReviewer() async {
        let outcome = await authenticator(tokens: FakeTokenReviewer(users: [:], failing: true)).authenticate(.init(authorization: "Bearer x"))
        #expect(outcome == .refused(reason: "bearer token: review failed: master unreachable"))
    }

    @Test("a request without credentials is anonymous only with --anonymous-auth")
    func anonymous() async {
        #expect(await authenticator(anonymous: true).authenticate(.init()) == .authenticated(.anonymous))
        guard case .refused(let reason) = await authenticator(anonymous: false).authenticate(.init()) else {
            Issue.record("anonymous request authenticated with anonymous auth off")
            return
        }
        #expect(reason.contains("--anonymous-auth=false"))
    }

    @Test("without a token webhook a bearer token is ignored, so the request is anonymous or refused")
    func tokenWithoutWebhook() async {
        #expect(await authenticator(anonymous: true).authenticate(.init(authorization: "Bearer good")) == .authenticated(.anonymous))
    }
}

@Suite("Caches of the webhook answers")
struct WebhookCacheTests {
    final class Clock: Sendable {
        let start = ContinuousClock.now
        let offset = Mutex(Duration.zero)
        func now() -> ContinuousClock.Instant { start + offset.withLock { $0 } }
        func advance(_ by: Duration) { offset.withLock { $0 += by } }
    }

    @Test("token reviews are cached for 2 minutes; failures to review are not cached")
    func tokenCache() async throws {
        let clock = Clock()
        let reviewer = FakeTokenReviewer(users: ["good": UserInfo(name: "alice")])
        let cached = CachingTokenReviewer(reviewer, now: { clock.now() })

        _ = try await cached.review(token: "good")
        _ = try await cached.review(token: "good")
        _ = try await cached.review(token: "bad")
        _ = try await cached.review(token: "bad")
        #expect(reviewer.reviews == 2)
        clock.advance(.seconds(121))
        _ = try await cached.review(token: "good")
        #expect(reviewer.reviews == 3)

        let failing = FakeTokenReviewer(users: [:], failing: true)
        let cachedFailing = CachingTokenReviewer(failing, now: { clock.now() })
        _ = try? await cachedFailing.review(token: "x")
        _ = try? await cachedFailing.review(token: "x")
        #expect(failing.reviews == 2)
    }

    @Test("allowed answers are cached for 5 minutes, denials for 30 s, failed reviews not at all")
    func authorizationCache() async {
        let clock = Clock()
        let inner = FakeAuthorizer(allowed: ["alice"])
        let cached = CachingAuthorizer(inner, now: { clock.now() })
        let attributes = AuthorizationAttributes.forRequest(method: "GET", path: "/pods", nodeName: "n")

        #expect(await cached.authorize(UserInfo(name: "alice"), attributes) == .allow)
        #expect(await cached.authorize(UserInfo(name: "bob"), attributes) != .allow)
        clock.advance(.seconds(31))
        _ = await cached.authorize(UserInfo(name: "alice"), attributes)
        _ = await cached.authorize(UserInfo(name: "bob"), attributes)
        #expect(inner.questions.count == 3)
        clock.advance(.seconds(270))
        _ = await cached.authorize(UserInfo(name: "alice"), attributes)
        #expect(inner.questions.count == 4)

        struct Failing: Authorizer {
            let count = Counter()
            func authorize(_ user: UserInfo, _ attributes: AuthorizationAttributes) async -> AuthorizationDecision {
                count.add()
                return UncachedDenial.decision("master unreachable")
            }
        }
        let failing = Failing()
        let cachedFailing = CachingAuthorizer(failing, now: { clock.now() })
        _ = await cachedFailing.authorize(UserInfo(name: "alice"), attributes)
        _ = await cachedFailing.authorize(UserInfo(name: "alice"), attributes)
        #expect(failing.count.value == 2)
    }
}

final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
