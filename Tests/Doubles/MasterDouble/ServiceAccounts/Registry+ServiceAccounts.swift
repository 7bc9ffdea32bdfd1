import Foundation
import KubeAPI

/// The service account machinery of kube-apiserver and its controllers, as far as pods need it:
/// the `default` service account and the `kube-root-ca.crt` configMap of a namespace (made by
/// the service account and root CA publisher controllers when the namespace appears; the
/// double, which has no namespace objects, makes them when a namespace gets its first pod), and
/// the ServiceAccount admission plugin that gives pods their `kube-api-access-xxxxx` volume.
extension Registry {
    static let serviceAccountMountPath = "/var/run/secrets/kubernetes.io/serviceaccount"
    static let rootCAConfigMapName = "kube-root-ca.crt"
    static let mirrorPodAnnotation = "kubernetes.io/config.mirror"
    /// Stands in for the cluster CA in `kube-root-ca.crt` when the double serves plain HTTP.
    static let placeholderRootCA = "# the clc master double serves plain HTTP and has no CA\n"

    /// Creates the `default` service account and `kube-root-ca.crt` of a namespace if missing.
    func ensureNamespaceDefaults(_ namespace: String, in state: inout StoreState, rootCA: String = Registry.placeholderRootCA) throws {
        if state.get(.serviceaccounts, ObjectKey(namespace: namespace, name: "default")) == nil {
            _ = try create(
                .serviceaccounts, namespace: namespace,
                body: ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "default"]], in: &state)
        }
        if state.get(.configmaps, ObjectKey(namespace: namespace, name: Self.rootCAConfigMapName)) == nil {
            _ = try create(
                .configmaps, namespace: namespace,
                body: [
                    "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(Self.rootCAConfigMapName)],
                    "data": ["ca.crt": .string(rootCA)],
                ], in: &state)
        }
    }

    /// The ServiceAccount admission plugin (`plugin/pkg/admission/serviceaccount`): the service
    /// account name defaults to `default` and must exist; unless `automountServiceAccountToken`
    /// is false (the pod's over the service account's), the pod gets the projected
    /// `kube-api-access-<5 random>` volume (token 3607 s, kube-root-ca.crt, namespace), mounted
    /// read-only in every container that has nothing mounted at the service account path.
    /// Mirror pods are left alone.
    func admitServiceAccount(_ object: JSONValue, in state: StoreState) throws -> JSONValue {
        if object[path: ["metadata", "annotations", Self.mirrorPodAnnotation]] != nil { return object }
        var pod: Pod
        do {
            pod = try object.decode(Pod.self)
        } catch {
            throw APIStatusError.badRequest("Pod in version \"v1\" cannot be handled as a Pod: \(error)")
        }
        let namespace = (pod.metadata.namespace ?? "").isEmpty ? "default" : pod.metadata.namespace ?? "default"
        let name = (pod.spec.serviceAccountName ?? "").isEmpty ? "default" : pod.spec.serviceAccountName ?? "default"
        guard let account = state.get(.serviceaccounts, ObjectKey(namespace: namespace, name: name)) else {
            throw APIStatusError(
                code: 403, reason: "Forbidden",
                message: "pods \"\(pod.metadata.name ?? "")\" is forbidden: error looking up service account \(namespace)/\(name): "
                    + "serviceaccount \"\(name)\" not found")
        }
        pod.spec.serviceAccountName = name
        var result = object
        result[path: ["spec", "serviceAccountName"]] = .string(name)
        result[path: ["spec", "serviceAccount"]] = .string(name)
        let automount = pod.spec.automountServiceAccountToken ?? account["automountServiceAccountToken"]?.boolValue ?? true
        guard automount else { return result }

        let volumeName = "kube-api-access-" + String((0..<5).map { _ in Self.randomNameCharacters.randomElement()! })
        pod.spec.volumes = (pod.spec.volumes ?? []) + [Self.serviceAccountVolume(named: volumeName)]
        let mount = VolumeMount(name: volumeName, mountPath: Self.serviceAccountMountPath, readOnly: true)
        func mounted(_ container: Container) -> Container {
            if (container.volumeMounts ?? []).contains(where: { $0.mountPath == Self.serviceAccountMountPath }) { return container }
            var container = container
            container.volumeMounts = (container.volumeMounts ?? []) + [mount]
            return container
        }
        result[path: ["spec", "volumes"]] = try JSONValue(encoding: pod.spec.volumes ?? [])
        for (list, containers) in [("containers", pod.spec.containers), ("initContainers", pod.spec.initContainers ?? [])] {
            guard var entries = result[path: ["spec", list]]?.arrayValue else { continue }
            for index in entries.indices where index < containers.count {
                let updated = mounted(containers[index])
                entries[index]["volumeMounts"] = try JSONValue(encoding: updated.volumeMounts ?? [])
            }
            result[path: ["spec", list]] = .array(entries)
        }
        return result
    }

    /// The volume the admission adds, exactly as kube-apiserver writes it.
    static func serviceAccountVolume(named name: String) -> Volume {
        Volume(
            name: name,
            projected: ProjectedVolumeSource(
                sources: [
                    VolumeProjection(serviceAccountToken: ServiceAccountTokenProjection(expirationSeconds: 3607, path: "token")),
                    VolumeProjection(configMap: ConfigMapProjection(name: rootCAConfigMapName, items: [KeyToPath(key: "ca.crt", path: "ca.crt")])),
                    VolumeProjection(downwardAPI: DownwardAPIProjection(items: [
                        DownwardAPIVolumeFile(path: "namespace", fieldRef: ObjectFieldSelector(apiVersion: "v1", fieldPath: "metadata.namespace"))
                    ])),
                ],
                defaultMode: 0o644))
    }

    /// `utilrand.String`'s alphabet: no vowels, no confusable digits.
    static let randomNameCharacters = Array("bcdfghjklmnpqrstvwxz2456789")

    /// Secrets: `stringData` merged into `data` (base64), as the secret strategy does; the
    /// other config objects are stored as given.
    static func prepareConfigObject(_ resource: Resource, _ object: JSONValue) throws -> JSONValue {
        guard resource == .secrets else { return object }
        var secret = object
        if case .object(let strings)? = object["stringData"] {
            var data: [String: JSONValue] = [:]
            if case .object(let existing)? = object["data"] { data = existing }
            for (key, value) in strings {
                data[key] = .string(Data((value.stringValue ?? "").utf8).base64EncodedString())
            }
            secret["data"] = .object(data)
            secret["stringData"] = nil
        }
        if case .object(let data)? = secret["data"] {
            for (key, value) in data where Data(base64Encoded: value.stringValue ?? "") == nil {
                throw APIStatusError.invalid(.secrets, object.name ?? "", ["data[\(key)]: Invalid value: \"<secret contents redacted>\": illegal base64 data"])
            }
        }
        if secret["type"] == nil { secret["type"] = "Opaque" }
        return secret
    }
}
