import Foundation
import MasterDouble
import Testing

@Suite("TokenReview and SubjectAccessReview (REFERENCE 7)")
struct ReviewTests {
    private func fixture() throws -> Fixture {
        let fixture = try Fixture()
        fixture.master.authPolicy = AuthPolicy(
            tokens: ["t0ken": ReviewedUser(username: "alice", uid: "u-1", groups: ["ops", "system:authenticated"], extra: ["scope": ["a"]])],
            rules: [
                AccessRule(.user("alice"), verb: "get", resource: "nodes", subresource: "stats"),
                AccessRule(.group("system:masters"), resource: "nodes"),
            ])
        return fixture
    }

    @Test("a known token is authenticated with its user, uid, groups and extra")
    func knownToken() async throws {
        let fixture = try fixture()
        defer { fixture.master.stop() }
        let (status, body) = try await fixture.client.send(
            "POST", "/apis/authentication.k8s.io/v1/tokenreviews",
            ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": ["token": "t0ken"]])
        #expect(status == 201)
        #expect(body["kind"]?.stringValue == "TokenReview")
        #expect(body[path: ["status", "authenticated"]]?.boolValue == true)
        #expect(body[path: ["status", "user", "username"]]?.stringValue == "alice")
        #expect(body[path: ["status", "user", "uid"]]?.stringValue == "u-1")
        #expect(body[path: ["status", "user", "groups"]] == ["ops", "system:authenticated"])
        #expect(body[path: ["status", "user", "extra", "scope"]] == ["a"])
    }

    @Test("an unknown token is not authenticated")
    func unknownToken() async throws {
        let fixture = try fixture()
        defer { fixture.master.stop() }
        let (status, body) = try await fixture.client.send(
            "POST", "/apis/authentication.k8s.io/v1/tokenreviews",
            ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": ["token": "nope"]])
        #expect(status == 201)
        #expect(body[path: ["status", "authenticated"]]?.boolValue == false)
        #expect(body[path: ["status", "user", "username"]] == nil)
    }

    @Test("a review without a token is invalid")
    func missingToken() async throws {
        let fixture = try fixture()
        defer { fixture.master.stop() }
        let (status, body) = try await fixture.client.send(
            "POST", "/apis/authentication.k8s.io/v1/tokenreviews", ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": [:]])
        #expect(status == 422)
        #expect(body["reason"]?.stringValue == "Invalid")
    }

    private func review(_ fixture: Fixture, user: String, groups: [String] = [], verb: String, subresource: String) async throws -> JSONValue {
        let (status, body) = try await fixture.client.send(
            "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
            [
                "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                "spec": [
                    "resourceAttributes": [
                        "verb": .string(verb), "version": "v1", "resource": "nodes", "subresource": .string(subresource), "name": "node-a",
                    ],
                    "user": .string(user), "groups": .array(groups.map(JSONValue.string)),
                ],
            ])
        #expect(status == 201)
        return body
    }

    @Test("a rule allows its user, verb and subresource and nothing else")
    func userRule() async throws {
        let fixture = try fixture()
        defer { fixture.master.stop() }
        let allowed = try await review(fixture, user: "alice", verb: "get", subresource: "stats")
        #expect(allowed[path: ["status", "allowed"]]?.boolValue == true)
        #expect(allowed["kind"]?.stringValue == "SubjectAccessReview")

        let denied = try await review(fixture, user: "alice", verb: "create", subresource: "proxy")
        #expect(denied[path: ["status", "allowed"]]?.boolValue == false)
        #expect(denied[path: ["status", "reason"]]?.stringValue?.contains("alice") == true)
        #expect(denied[path: ["status", "reason"]]?.stringValue?.contains("nodes/proxy") == true)

        let stranger = try await review(fixture, user: "bob", verb: "get", subresource: "stats")
        #expect(stranger[path: ["status", "allowed"]]?.boolValue == false)
    }

    @Test("a group rule allows every member, any verb and subresource")
    func groupRule() async throws {
        let fixture = try fixture()
        defer { fixture.master.stop() }
        let allowed = try await review(fixture, user: "admin", groups: ["system:masters"], verb: "create", subresource: "proxy")
        #expect(allowed[path: ["status", "allowed"]]?.boolValue == true)
    }

    @Test("reviews are logged as creates of their resource and never stored")
    func logged() async throws {
        let fixture = try fixture()
        defer { fixture.master.stop() }
        _ = try await review(fixture, user: "alice", verb: "get", subresource: "stats")
        let record = try #require(fixture.master.requests().last)
        #expect(record.verb == "create")
        #expect(record.resource == "subjectaccessreviews")
        let (status, _) = try await fixture.client.get("/apis/authorization.k8s.io/v1/subjectaccessreviews")
        #expect(status == 405)
    }
}
