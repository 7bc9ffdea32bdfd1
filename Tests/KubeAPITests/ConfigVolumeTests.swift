import Foundation
import KubeAPI
import Testing

@Suite("Pods of a current API server: projected, secret, configMap and downwardAPI volumes, env from objects")
struct ConfigVolumeTests {
    /// A pod as kube-apiserver 1.29 serves it after the ServiceAccount admission.
    static let currentPod = #"""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop","uid":"0b6c5d1e-1111-4d2e-9c1a-000000000001"},
         "spec":{"containers":[{"name":"app","image":"redis:7",
           "env":[{"name":"PW","valueFrom":{"secretKeyRef":{"name":"db","key":"password"}}},
                  {"name":"MODE","valueFrom":{"configMapKeyRef":{"name":"settings","key":"mode","optional":true}}},
                  {"name":"MEM","valueFrom":{"resourceFieldRef":{"resource":"limits.memory","divisor":"1Mi"}}},
                  {"name":"NODE","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"spec.nodeName"}}}],
           "envFrom":[{"prefix":"CFG_","configMapRef":{"name":"settings"}},{"secretRef":{"name":"db","optional":true}}],
           "volumeMounts":[{"name":"kube-api-access-x2b4c","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"},
                           {"name":"creds","mountPath":"/etc/creds"},{"name":"conf","mountPath":"/etc/conf"},{"name":"info","mountPath":"/etc/info"}]}],
          "serviceAccountName":"default","automountServiceAccountToken":true,
          "volumes":[
           {"name":"kube-api-access-x2b4c","projected":{"defaultMode":420,"sources":[
             {"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},
             {"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},
             {"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}]}},
           {"name":"creds","secret":{"secretName":"db","defaultMode":256,"items":[{"key":"password","path":"pw","mode":384}],"optional":false}},
           {"name":"conf","configMap":{"name":"settings","defaultMode":420}},
           {"name":"info","downwardAPI":{"defaultMode":420,"items":[
             {"path":"labels","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.labels"}},
             {"path":"cpu","resourceFieldRef":{"containerName":"app","resource":"requests.cpu","divisor":"1m"}}]}}]}}
        """#

    @Test("a pod with the kube-api-access volume and env from objects decodes with every source and is valid")
    func decodesCurrentPod() throws {
        let pod = try JSONDecoder().decode(Pod.self, from: Data(Self.currentPod.utf8))
        let volumes = try #require(pod.spec.volumes)
        #expect(volumes.map(\.sourceNames) == [["projected"], ["secret"], ["configMap"], ["downwardAPI"]])
        let projected = try #require(volumes[0].projected?.sources)
        #expect(projected[0].serviceAccountToken == ServiceAccountTokenProjection(expirationSeconds: 3607, path: "token"))
        #expect(projected[1].configMap?.items == [KeyToPath(key: "ca.crt", path: "ca.crt")])
        #expect(volumes[1].secret?.items?.first?.mode == 0o600)
        #expect(pod.spec.containers[0].envFrom?.first?.prefix == "CFG_")
        #expect(pod.spec.containers[0].env?[0].valueFrom?.secretKeyRef == KeySelector(name: "db", key: "password"))
        #expect(pod.spec.automountServiceAccountToken == true)
        #expect(pod.withDefaults().validationErrors() == [])
        // Round trip: nothing of the sources is lost on the way back to JSON.
        let again = try JSONDecoder().decode(Pod.self, from: try JSONEncoder().encode(pod))
        #expect(again == pod)
    }

    @Test("defaulting gives file volumes mode 0644 and tokens an hour")
    func defaults() {
        let volume = Volume(
            name: "v", projected: ProjectedVolumeSource(sources: [VolumeProjection(serviceAccountToken: ServiceAccountTokenProjection(path: "t"))]))
            .withDefaults()
        #expect(volume.projected?.defaultMode == 420)
        #expect(volume.projected?.sources?[0].serviceAccountToken?.expirationSeconds == 3600)
        #expect(Volume(name: "s", secret: SecretVolumeSource(secretName: "x")).withDefaults().secret?.defaultMode == 420)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let fields: [String]
        let volumes: [Volume]
        var env: [EnvVar] = []
        var envFrom: [EnvFromSource] = []
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "a token shorter than 10 minutes",
            fields: ["spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds"],
            volumes: [Volume(name: "t", projected: ProjectedVolumeSource(sources: [
                VolumeProjection(serviceAccountToken: ServiceAccountTokenProjection(expirationSeconds: 60, path: "token"))
            ]))]),
        Case(
            name: "a projection with two sources, and one with none",
            fields: ["spec.volumes[0].projected.sources[0]", "spec.volumes[0].projected.sources[1]"],
            volumes: [Volume(name: "t", projected: ProjectedVolumeSource(sources: [
                VolumeProjection(configMap: ConfigMapProjection(name: "a"), serviceAccountToken: ServiceAccountTokenProjection(path: "token")),
                VolumeProjection(),
            ]))]),
        Case(
            name: "two projected files at one path",
            fields: ["spec.volumes[0].projected.sources[1].secret.items[0].path"],
            volumes: [Volume(name: "t", projected: ProjectedVolumeSource(sources: [
                VolumeProjection(serviceAccountToken: ServiceAccountTokenProjection(path: "token")),
                VolumeProjection(secret: SecretProjection(name: "s", items: [KeyToPath(key: "k", path: "token")])),
            ]))]),
        Case(name: "a secret volume without a name", fields: ["spec.volumes[0].secret.secretName"], volumes: [Volume(name: "s", secret: SecretVolumeSource())]),
        Case(
            name: "an item path leaving the volume and a mode above 0777",
            fields: ["spec.volumes[0].configMap.items[0].path", "spec.volumes[0].configMap.items[0].mode"],
            volumes: [Volume(name: "c", configMap: ConfigMapVolumeSource(name: "c", items: [KeyToPath(key: "k", path: "../etc", mode: 0o1777)]))]),
        Case(
            name: "a defaultMode above 0777", fields: ["spec.volumes[0].secret.defaultMode"],
            volumes: [Volume(name: "s", secret: SecretVolumeSource(secretName: "s", defaultMode: 0o1000))]),
        Case(
            name: "a downward file reading the pod IP, which volumes cannot",
            fields: ["spec.volumes[0].downwardAPI.items[0].fieldRef.fieldPath"],
            volumes: [Volume(name: "d", downwardAPI: DownwardAPIVolumeSource(items: [
                DownwardAPIVolumeFile(path: "ip", fieldRef: ObjectFieldSelector(fieldPath: "status.podIP"))
            ]))]),
        Case(
            name: "a resource file without a container and of an unknown resource",
            fields: ["spec.volumes[0].downwardAPI.items[0].resourceFieldRef.containerName", "spec.volumes[0].downwardAPI.items[0].resourceFieldRef.resource"],
            volumes: [Volume(name: "d", downwardAPI: DownwardAPIVolumeSource(items: [
                DownwardAPIVolumeFile(path: "x", resourceFieldRef: ResourceFieldSelector(resource: "limits.gpu"))
            ]))]),
        Case(
            name: "a secretKeyRef without a key and a valueFrom with two sources",
            fields: ["spec.containers[0].env[0].valueFrom.secretKeyRef.key", "spec.containers[0].env[1].valueFrom"],
            volumes: [],
            env: [
                EnvVar(name: "A", valueFrom: EnvVarSource(secretKeyRef: KeySelector(name: "s", key: ""))),
                EnvVar(name: "B", valueFrom: EnvVarSource(
                    fieldRef: ObjectFieldSelector(fieldPath: "metadata.name"), configMapKeyRef: KeySelector(name: "c", key: "k"))),
            ]),
        Case(
            name: "an envFrom naming nothing", fields: ["spec.containers[0].envFrom[0]"], volumes: [],
            envFrom: [EnvFromSource(prefix: "X_")]),
    ]

    @Test("each invalid source is reported at its field", arguments: cases)
    func reportsField(testCase: Case) {
        var pod = Pod(
            metadata: ObjectMeta(name: "web", namespace: "shop"),
            spec: PodSpec(containers: [Container(name: "app", image: "redis", envFrom: testCase.envFrom, env: testCase.env)], volumes: testCase.volumes))
        pod = pod.withDefaults()
        #expect(pod.validationErrors().map(\.field) == testCase.fields, "\(pod.validationErrors())")
    }

    @Test("a short token's message reads as the API server's")
    func tokenMessage() throws {
        let pod = Pod(
            metadata: ObjectMeta(name: "web"),
            spec: PodSpec(
                containers: [Container(name: "app", image: "redis")],
                volumes: [
                    Volume(name: "a", emptyDir: EmptyDirVolumeSource()), Volume(name: "b", emptyDir: EmptyDirVolumeSource()),
                    Volume(name: "t", projected: ProjectedVolumeSource(sources: [
                        VolumeProjection(serviceAccountToken: ServiceAccountTokenProjection(expirationSeconds: 599, path: "token"))
                    ])),
                ]))
        let error = try #require(pod.validationErrors().first)
        #expect(error.description == #"spec.volumes[2].projected.sources[0].serviceAccountToken.expirationSeconds: Invalid value: "599": may not specify a duration less than 10 minutes"#)
    }

    @Test("secret and configMap objects give their bytes: data decoded from base64, stringData and binaryData included")
    func objectBytes() throws {
        let secret = try JSONDecoder().decode(Secret.self, from: Data(#"{"metadata":{"name":"db"},"data":{"pw":"czNjcmV0"},"stringData":{"user":"admin"}}"#.utf8))
        #expect(secret.bytes == ["pw": Array("s3cret".utf8), "user": Array("admin".utf8)])
        let configMap = ConfigMap(data: ["a": "1"], binaryData: ["b": "AAE="])
        #expect(configMap.bytes == ["a": Array("1".utf8), "b": [0, 1]])
    }
}
