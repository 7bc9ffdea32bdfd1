import KubeAPI

/// Decides what files a secret, configMap, downwardAPI or projected volume holds (kubelet's
/// `secret.go`, `configmap.go`, `downwardapi.go`, `projected.go`), from the objects fetched for
/// it: no items, every key a file; items, the listed keys at their paths with their modes; a
/// missing object or key fails the volume unless it is optional.
public struct VolumePayloadPlanner: Sendable {
    /// Kubelet's volume plugin directory names under `pods/<uid>/volumes/`.
    public enum Kind: String, Sendable {
        case secret = "kubernetes.io~secret"
        case configMap = "kubernetes.io~configmap"
        case downwardAPI = "kubernetes.io~downward-api"
        case projected = "kubernetes.io~projected"
    }

    public var downward: DownwardAPI

    public init(downward: DownwardAPI) {
        self.downward = downward
    }

    /// The plugin a volume needs, or nil for emptyDir, hostPath and unknown sources.
    public static func kind(of volume: Volume) -> Kind? {
        if volume.secret != nil { return .secret }
        if volume.configMap != nil { return .configMap }
        if volume.downwardAPI != nil { return .downwardAPI }
        if volume.projected != nil { return .projected }
        return nil
    }

    /// The objects a volume reads.
    public static func references(of volume: Volume) -> PodObjectReferences {
        var references = PodObjectReferences()
        if let name = volume.secret?.secretName, !name.isEmpty { references.secrets.insert(name) }
        if let name = volume.configMap?.name, !name.isEmpty { references.configMaps.insert(name) }
        for source in volume.projected?.sources ?? [] {
            if let name = source.secret?.name, !name.isEmpty { references.secrets.insert(name) }
            if let name = source.configMap?.name, !name.isEmpty { references.configMaps.insert(name) }
            if let token = source.serviceAccountToken, !references.tokens.contains(token) { references.tokens.append(token) }
        }
        return references
    }

    /// The files of `volume`.
    /// - Throws: ``VolumeSetUpError`` for a missing object or key that is not optional, or a
    ///   downward API field the pod cannot give.
    public func payload(for volume: Volume, pod: Pod, objects: PodObjects) throws(VolumeSetUpError) -> [String: FileProjection] {
        let volumeName = volume.name ?? ""
        func fail(_ detail: String) -> VolumeSetUpError { VolumeSetUpError(volume: volumeName, detail: detail) }
        let namespace = pod.metadata.namespace ?? "default"
        if let source = volume.secret {
            let name = source.secretName ?? ""
            guard let secret = objects.secrets[name] else {
                if source.optional == true { return [:] }
                throw fail("secret \"\(name)\" not found")
            }
            return try project(
                secret.bytes, items: source.items, defaultMode: source.defaultMode ?? Volume.defaultMode,
                optional: source.optional == true, missingKey: { "references non-existent secret key: \($0)" }, fail: fail)
        }
        if let source = volume.configMap {
            let name = source.name ?? ""
            guard let configMap = objects.configMaps[name] else {
                if source.optional == true { return [:] }
                throw fail("configmap \"\(name)\" not found")
            }
            return try project(
                configMap.bytes, items: source.items, defaultMode: source.defaultMode ?? Volume.defaultMode,
                optional: source.optional == true, missingKey: { "configmap references non-existent config key: \($0)" }, fail: fail)
        }
        if let source = volume.downwardAPI {
            return try downwardFiles(source.items ?? [], defaultMode: source.defaultMode ?? Volume.defaultMode, pod: pod, fail: fail)
        }
        if let source = volume.projected {
            let defaultMode = source.defaultMode ?? Volume.defaultMode
            var payload: [String: FileProjection] = [:]
            for projection in source.sources ?? [] {
                var files: [String: FileProjection] = [:]
                if let secretSource = projection.secret {
                    let name = secretSource.name ?? ""
                    if let secret = objects.secrets[name] {
                        files = try project(
                            secret.bytes, items: secretSource.items, defaultMode: defaultMode, optional: secretSource.optional == true,
                            missingKey: { "references non-existent secret key: \($0)" }, fail: fail)
                    } else if secretSource.optional != true {
                        throw fail("secret \"\(name)\" not found")
                    }
                } else if let configMapSource = projection.configMap {
                    let name = configMapSource.name ?? ""
                    if let configMap = objects.configMaps[name] {
                        files = try project(
                            configMap.bytes, items: configMapSource.items, defaultMode: defaultMode,
                            optional: configMapSource.optional == true,
                            missingKey: { "configmap references non-existent config key: \($0)" }, fail: fail)
                    } else if configMapSource.optional != true {
                        throw fail("configmap \"\(name)\" not found")
                    }
                } else if let downwardSource = projection.downwardAPI {
                    files = try downwardFiles(downwardSource.items ?? [], defaultMode: defaultMode, pod: pod, fail: fail)
                } else if let tokenSource = projection.serviceAccountToken {
                    guard let token = objects.tokens[tokenSource] else {
                        throw fail("failed to fetch token: service account \(namespace)/\(pod.spec.serviceAccountName ?? "default") has no token")
                    }
                    files = [tokenSource.path: FileProjection(token, mode: defaultMode)]
                }
                payload.merge(files) { _, new in new }
            }
            return payload
        }
        return [:]
    }

    private func project(
        _ values: [String: [UInt8]], items: [KeyToPath]?, defaultMode: Int32, optional: Bool,
        missingKey: (String) -> String, fail: (String) -> VolumeSetUpError
    ) throws(VolumeSetUpError) -> [String: FileProjection] {
        var payload: [String: FileProjection] = [:]
        guard let items, !items.isEmpty else {
            for (key, value) in values { payload[key] = FileProjection(data: value, mode: defaultMode) }
            return payload
        }
        for item in items {
            guard let value = values[item.key] else {
                if optional { continue }
                throw fail(missingKey(item.key))
            }
            payload[item.path] = FileProjection(data: value, mode: item.mode ?? defaultMode)
        }
        return payload
    }

    private func downwardFiles(
        _ items: [DownwardAPIVolumeFile], defaultMode: Int32, pod: Pod, fail: (String) -> VolumeSetUpError
    ) throws(VolumeSetUpError) -> [String: FileProjection] {
        var payload: [String: FileProjection] = [:]
        for item in items {
            let value: String
            if let path = item.fieldRef?.fieldPath {
                guard let resolved = downward.fieldValue(path, pod: pod) else { throw fail("unsupported fieldPath: \(path)") }
                value = resolved
            } else if let selector = item.resourceFieldRef {
                let containerName = selector.containerName ?? ""
                guard let container = (pod.spec.containers + (pod.spec.initContainers ?? [])).first(where: { $0.name == containerName }) else {
                    throw fail("container \(containerName) not found in pod")
                }
                guard let resolved = downward.resourceValue(selector, container: container) else {
                    throw fail("unsupported container resource: \(selector.resource)")
                }
                value = resolved
            } else {
                continue
            }
            payload[item.path] = FileProjection(value, mode: item.mode ?? defaultMode)
        }
        return payload
    }
}
