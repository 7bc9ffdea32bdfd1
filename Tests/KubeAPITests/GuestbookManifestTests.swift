import Foundation
import KubeAPI
import Testing

@Suite("The guestbook example manifests")
struct GuestbookManifestTests {
    @Test(
        "each guestbook manifest decodes to one object of its kind",
        arguments: [
            ("frontend-controller-with-health-check.json", "ReplicationController"),
            ("frontend-controller.json", "ReplicationController"),
            ("frontend-service.json", "Service"),
            ("redis-master-controller-with-lifecycle.json", "ReplicationController"),
            ("redis-master-controller-with-resource-limits.json", "ReplicationController"),
            ("redis-master-controller.json", "ReplicationController"),
            ("redis-master-service.json", "Service"),
            ("redis-slave-controller.json", "ReplicationController"),
            ("redis-slave-service.json", "Service"),
        ])
    func decodesEachManifest(file: String, kind: String) throws {
        let objects = try Fixtures.guestbookManifest(file)
        #expect(objects.map(\.kind) == [kind])
    }

    @Test("the guestbook folder holds exactly the nine manifests")
    func folderHoldsNineManifests() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Fixtures.guestbookDirectory.path)
        #expect(names.filter { $0.hasSuffix(".json") }.count == 9)
    }

    @Test("the frontend controller runs 3 replicas of the php-redis image on port 80")
    func frontendController() throws {
        let objects = try Fixtures.guestbookManifest("frontend-controller.json")
        let controller = try #require(objects.first?.replicationController)
        #expect(controller.metadata.name == "frontend")
        #expect(controller.spec.replicas == 3)
        #expect(controller.spec.selector == ["name": "frontend"])
        let template = try #require(controller.spec.template)
        #expect(template.metadata.labels == ["name": "frontend"])
        let container = try #require(template.spec.containers.first)
        #expect(container.name == "php-redis")
        #expect(container.image == "kubernetes/example-guestbook-php-redis")
        #expect(container.ports?.first?.containerPort == 80)
    }

    @Test("the frontend service is a NodePort service on node port 30001")
    func frontendService() throws {
        let service = try #require(try Fixtures.guestbookManifest("frontend-service.json").first?.service)
        #expect(service.spec.type == "NodePort")
        #expect(service.spec.selector == ["name": "frontend"])
        let port = try #require(service.spec.ports?.first)
        #expect(port.port == 80)
        #expect(port.targetPort == .int(80))
        #expect(port.nodePort == 30001)
    }

    @Test("the resource-limited redis master asks for 500Mi = 524288000 bytes and 500 milli-CPU")
    func resourceLimits() throws {
        let controller = try #require(
            try Fixtures.guestbookManifest("redis-master-controller-with-resource-limits.json").first?
                .replicationController)
        let limits = try #require(controller.spec.template?.spec.containers.first?.resources?.limits)
        #expect(limits["memory"] == Quantity("500Mi"))
        #expect(try limits["memory"]?.value() == 524_288_000)
        #expect(try limits["cpu"]?.milliValue() == 500)
    }

    @Test("the lifecycle redis master touches /hello-world.txt after starting")
    func postStartHook() throws {
        let controller = try #require(
            try Fixtures.guestbookManifest("redis-master-controller-with-lifecycle.json").first?.replicationController)
        let container = try #require(controller.spec.template?.spec.containers.first)
        #expect(container.lifecycle?.postStart?.exec?.command == ["touch", "/hello-world.txt"])
        #expect(container.lifecycle?.preStop == nil)
    }

    @Test("the health-checked frontend probes GET / on port 80 after 30 seconds")
    func livenessProbe() throws {
        let controller = try #require(
            try Fixtures.guestbookManifest("frontend-controller-with-health-check.json").first?.replicationController)
        let probe = try #require(controller.spec.template?.spec.containers.first?.livenessProbe)
        #expect(probe.httpGet?.path == "/")
        #expect(probe.httpGet?.port == .int(80))
        #expect(probe.initialDelaySeconds == 30)
        #expect(probe.timeoutSeconds == 1)
    }

    @Test("every guestbook pod template is valid once defaulted")
    func templatesValidate() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Fixtures.guestbookDirectory.path).sorted()
        for name in names where name.contains("controller") {
            let controller = try #require(try Fixtures.guestbookManifest(name).first?.replicationController)
            let template = try #require(controller.withDefaults().spec.template)
            let pod = Pod(metadata: ObjectMeta(name: "\(controller.metadata.name ?? "")-x"), spec: template.spec)
            #expect(pod.withDefaults().validationErrors() == [], "\(name)")
        }
    }
}
