import Foundation
import MasterDouble
import Testing

@Suite("Service accounts, secrets and configMaps in the double (REFERENCE 11)")
struct ServiceAccountTests {
    static func pod(_ name: String, extra: JSONValue = [:]) -> JSONValue {
        var spec: JSONValue = [
            "containers": [["name": "app", "image": "redis", "volumeMounts": [["name": "data", "mountPath": "/data"]]]],
            "initContainers": [["name": "init", "image": "busybox"]],
            "volumes": [["name": "data", "emptyDir": .object([:])]],
        ]
        if case .object(let members) = extra { for (key, value) in members { spec[key] = value } }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)], "spec": spec]
    }

    @Test("a new pod gets the kube-api-access-xxxxx projected volume mounted read-only in every container, and its namespace a default service account and kube-root-ca.crt")
    func admission() async throws {
        let fixture = try Fixture()
        defer { fixture.master.stop() }
        let (status, pod) = try await fixture.client.send("POST", "/api/v1/namespaces/shop/pods", Self.pod("web"))
        #expect(status == 201, "\(pod)")
        #expect(pod[path: ["spec", "serviceAccountName"]]?.stringValue == "default")
        let volumes = try #require(pod[path: ["spec", "volumes"]]?.arrayValue)
        #expect(volumes.count == 2)
        let name = try #require(volumes[1]["name"]?.stringValue)
        #expect(name.hasPrefix("kube-api-access-") && name.count == "kube-api-access-".count + 5)
        #expect(volumes[1]["projected"] == [
            "defaultMode": 420,
            "sources": [
                ["serviceAccountToken": ["expirationSeconds": 3607, "path": "token"]],
                ["configMap": ["name": "kube-root-ca.crt", "items": [["key": "ca.crt", "path": "ca.crt"]]]],
                ["downwardAPI": ["items": [["path": "namespace", "fieldRef": ["apiVersion": "v1", "fieldPath": "metadata.namespace"]]]]],
            ],
        ])
        for list in ["containers", "initContainers"] {
            let mounts = pod[path: ["spec", list]]?.arrayValue?.first?["volumeMounts"]?.arrayValue ?? []
            #expect(mounts.contains(["name": .string(name), "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true]), "\(list)")
        }
        #expect(try await fixture.client.get("/api/v1/namespaces/shop/serviceaccounts/default").status == 200)
        let rootCA = try await fixture.client.get("/api/v1/namespaces/shop/configmaps/kube-root-ca.crt")
        #expect(rootCA.status == 200)
        #expect(rootCA.body[path: ["data", "ca.crt"]]?.stringValue != nil)
    }

    @Test("automountServiceAccountToken false on the pod, or on its service account without the pod saying otherwise, adds no volume")
    func optOut() async throws {
        let fixture = try Fixture()
        defer { fixture.master.stop() }
        let (_, plain) = try await fixture.client.send("POST", "/api/v1/namespaces/shop/pods", Self.pod("a", extra: ["automountServiceAccountToken": false]))
        #expect(plain[path: ["spec", "volumes"]]?.arrayValue?.count == 1)
        let account: JSONValue = ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "quiet"], "automountServiceAccountToken": false]
        #expect(try await fixture.client.send("POST", "/api/v1/namespaces/shop/serviceaccounts", account).status == 201)
        let (_, quiet) = try await fixture.client.send("POST", "/api/v1/namespaces/shop/pods", Self.pod("b", extra: ["serviceAccountName": "quiet"]))
        #expect(quiet[path: ["spec", "volumes"]]?.arrayValue?.count == 1)
        let (_, insists) = try await fixture.client.send(
            "POST", "/api/v1/namespaces/shop/pods", Self.pod("c", extra: ["serviceAccountName": "quiet", "automountServiceAccountToken": true]))
        #expect(insists[path: ["spec", "volumes"]]?.arrayValue?.count == 2)
        let (status, refused) = try await fixture.client.send("POST", "/api/v1/namespaces/shop/pods", Self.pod("d", extra: ["serviceAccountName": "ghost"]))
        #expect(status == 403)
        #expect(refused["message"]?.stringValue?.contains("serviceaccount \"ghost\" not found") == true)
    }

    @Test("a TokenRequest bound to a pod answers a JWT with exp and aud that TokenReview accepts until the pod is gone")
    func tokenRequest() async throws {
        let fixture = try Fixture()
        defer { fixture.master.stop() }
        let (_, pod) = try await fixture.client.send("POST", "/api/v1/namespaces/shop/pods", Self.pod("web"))
        let uid = try #require(pod[path: ["metadata", "uid"]]?.stringValue)
        let request: JSONValue = [
            "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
            "spec": ["audiences": ["vault"], "expirationSeconds": 600, "boundObjectRef": ["apiVersion": "v1", "kind": "Pod", "name": "web", "uid": .string(uid)]],
        ]
        let (status, answer) = try await fixture.client.send("POST", "/api/v1/namespaces/shop/serviceaccounts/default/token", request)
        #expect(status == 201, "\(answer)")
        let token = try #require(answer[path: ["status", "token"]]?.stringValue)
        let parts = token.split(separator: ".")
        #expect(parts.count == 3)
        var payload = String(parts[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while payload.count % 4 != 0 { payload += "=" }
        let claims = try JSONValue.parse(Array(try #require(Data(base64Encoded: payload))))
        #expect(claims["aud"] == ["vault"])
        #expect(claims["sub"]?.stringValue == "system:serviceaccount:shop:default")
        #expect(claims[path: ["kubernetes.io", "pod", "uid"]]?.stringValue == uid)
        let exp = try #require(claims["exp"]?.intValue)
        let iat = try #require(claims["iat"]?.intValue)
        #expect(exp - iat == 600)
        #expect(answer[path: ["status", "expirationTimestamp"]]?.stringValue != nil)

        let review: JSONValue = ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": ["token": .string(token), "audiences": ["vault"]]]
        let (_, reviewed) = try await fixture.client.send("POST", "/apis/authentication.k8s.io/v1/tokenreviews", review)
        #expect(reviewed[path: ["status", "authenticated"]]?.boolValue == true, "\(reviewed)")
        #expect(reviewed[path: ["status", "user", "username"]]?.stringValue == "system:serviceaccount:shop:default")
        #expect(reviewed[path: ["status", "audiences"]] == ["vault"])

        let (_, otherAudience) = try await fixture.client.send(
            "POST", "/apis/authentication.k8s.io/v1/tokenreviews",
            ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": ["token": .string(token), "audiences": ["api"]]])
        #expect(otherAudience[path: ["status", "authenticated"]]?.boolValue == false)
        let tampered = String(parts[0]) + "." + String(parts[1]) + "." + String(parts[2].reversed())
        let (_, forged) = try await fixture.client.send(
            "POST", "/apis/authentication.k8s.io/v1/tokenreviews",
            ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": ["token": .string(tampered)]])
        #expect(forged[path: ["status", "authenticated"]]?.boolValue == false)

        _ = try fixture.master.deletePod(namespace: "shop", name: "web", gracePeriodSeconds: 0)
        let (_, afterDelete) = try await fixture.client.send("POST", "/apis/authentication.k8s.io/v1/tokenreviews", review)
        #expect(afterDelete[path: ["status", "authenticated"]]?.boolValue == false)
    }

    @Test("a 3607 s token for the API server's audiences lives a year but reports 3607 s; a wrong pod UID conflicts; under 600 s is invalid")
    func extensionAndRefusals() async throws {
        let fixture = try Fixture()
        defer { fixture.master.stop() }
        let (_, pod) = try await fixture.client.send("POST", "/api/v1/namespaces/shop/pods", Self.pod("web"))
        let uid = try #require(pod[path: ["metadata", "uid"]]?.stringValue)
        func request(seconds: Int64, uid: String) -> JSONValue {
            ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
             "spec": ["expirationSeconds": .int(seconds), "boundObjectRef": ["kind": "Pod", "name": "web", "uid": .string(uid)]]]
        }
        let (status, answer) = try await fixture.client.send("POST", "/api/v1/namespaces/shop/serviceaccounts/default/token", request(seconds: 3607, uid: uid))
        #expect(status == 201)
        let token = try #require(answer[path: ["status", "token"]]?.stringValue)
        var payload = String(token.split(separator: ".")[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while payload.count % 4 != 0 { payload += "=" }
        let claims = try JSONValue.parse(Array(try #require(Data(base64Encoded: payload))))
        #expect((claims["exp"]?.intValue ?? 0) - (claims["iat"]?.intValue ?? 0) == 365 * 24 * 3600)
        let reported = try #require(answer[path: ["status", "expirationTimestamp"]]?.stringValue)
        let formatter = ISO8601DateFormatter()
        let expiry = try #require(formatter.date(from: reported))
        #expect(abs(expiry.timeIntervalSince1970 - Double(claims["iat"]?.intValue ?? 0) - 3607) < 2)

        #expect(try await fixture.client.send("POST", "/api/v1/namespaces/shop/serviceaccounts/default/token", request(seconds: 3600, uid: "other")).status == 409)
        #expect(try await fixture.client.send("POST", "/api/v1/namespaces/shop/serviceaccounts/default/token", request(seconds: 60, uid: uid)).status == 422)
        #expect(try await fixture.client.send("POST", "/api/v1/namespaces/shop/serviceaccounts/ghost/token", request(seconds: 3600, uid: uid)).status == 404)
    }

    @Test("secrets store stringData as base64 data; configMaps are served as written and their updates seen by GET")
    func configObjects() async throws {
        let fixture = try Fixture()
        defer { fixture.master.stop() }
        let secret: JSONValue = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "db"], "stringData": ["pw": "s3cret"]]
        let (status, stored) = try await fixture.client.send("POST", "/api/v1/namespaces/shop/secrets", secret)
        #expect(status == 201)
        #expect(stored[path: ["data", "pw"]]?.stringValue == "czNjcmV0")
        #expect(stored["stringData"] == nil)
        #expect(stored["type"]?.stringValue == "Opaque")
        let configMap: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "settings"], "data": ["mode": "a"]]
        #expect(try await fixture.client.send("POST", "/api/v1/namespaces/shop/configmaps", configMap).status == 201)
        let patched = try await fixture.client.send(
            "PATCH", "/api/v1/namespaces/shop/configmaps/settings", ["data": ["mode": "b"]], contentType: "application/merge-patch+json")
        #expect(patched.status == 200)
        #expect(try await fixture.client.get("/api/v1/namespaces/shop/configmaps/settings").body[path: ["data", "mode"]]?.stringValue == "b")
        #expect(try await fixture.client.get("/api/v1/namespaces/shop/secrets/none").status == 404)
    }
}
