import KubeAPI

/// A container's environment, as kubelet's `makeEnvironmentVariables`: service variables,
/// then `envFrom` in order, then `env` (later names win), each `env` value's `$(VAR)`
/// references expanded against what came before it.
extension ContainerConfigBuilder {
    /// The objects a container's `env` and `envFrom` refer to, for the syncer to fetch.
    public static func envReferences(of container: Container) -> PodObjectReferences {
        var references = PodObjectReferences()
        for source in container.envFrom ?? [] {
            if let name = source.configMapRef?.name, !name.isEmpty { references.configMaps.insert(name) }
            if let name = source.secretRef?.name, !name.isEmpty { references.secrets.insert(name) }
        }
        for variable in container.env ?? [] {
            if let name = variable.valueFrom?.configMapKeyRef?.name, !name.isEmpty { references.configMaps.insert(name) }
            if let name = variable.valueFrom?.secretKeyRef?.name, !name.isEmpty { references.secrets.insert(name) }
        }
        return references
    }

    /// Keys of `envFrom` objects that are not valid variable names, skipped as kubelet does:
    /// one message per object, in kubelet's words for its `InvalidEnvironmentVariableNames` event.
    public static func skippedEnvFromKeys(of container: Container, namespace: String, objects: PodObjects) -> [String] {
        var messages: [String] = []
        for source in container.envFrom ?? [] {
            let prefix = source.prefix ?? ""
            let (kind, name, keys): (String, String, [String]) =
                if let ref = source.configMapRef {
                    ("configMap", ref.name ?? "", Array(objects.configMaps[ref.name ?? ""]?.bytes.keys ?? [:].keys))
                } else if let ref = source.secretRef {
                    ("secret", ref.name ?? "", Array(objects.secrets[ref.name ?? ""]?.bytes.keys ?? [:].keys))
                } else {
                    ("", "", [])
                }
            let invalid = keys.filter { !isEnvVarName(prefix + $0) }.sorted()
            if !invalid.isEmpty {
                messages.append(
                    "Keys [\(invalid.joined(separator: ", "))] from the EnvFrom \(kind) \(namespace)/\(name) were skipped "
                        + "since they are considered invalid environment variable names.")
            }
        }
        return messages
    }

    /// `IsEnvVarName`: letters, digits, '_', '-' and '.', not starting with a digit.
    static func isEnvVarName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else { return false }
        return name.utf8.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z"))
                || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
                || $0 == UInt8(ascii: ".")
        }
    }

    func environment(
        for spec: Container, pod: Pod, services: [(String, String)], podIP: String?, objects: PodObjects,
        fail: (String, String) -> ContainerConfigError
    ) throws(ContainerConfigError) -> [(String, String)] {
        let namespace = pod.metadata.namespace ?? "default"
        let downward = DownwardAPI(nodeName: nodeName, nodeIP: nodeIP, podIP: podIP)
        var result = services
        var lookup = Dictionary(services, uniquingKeysWith: { _, last in last })
        func set(_ name: String, _ value: String) {
            if let existing = result.firstIndex(where: { $0.0 == name }) { result.remove(at: existing) }
            result.append((name, value))
            lookup[name] = value
        }

        for (index, source) in (spec.envFrom ?? []).enumerated() {
            let prefix = source.prefix ?? ""
            let values: [String: [UInt8]]
            if let ref = source.configMapRef {
                let name = ref.name ?? ""
                guard let configMap = objects.configMaps[name] else {
                    if ref.optional == true { continue }
                    throw fail("envFrom[\(index)].configMapRef", "configmap \"\(name)\" not found")
                }
                values = configMap.bytes
            } else if let ref = source.secretRef {
                let name = ref.name ?? ""
                guard let secret = objects.secrets[name] else {
                    if ref.optional == true { continue }
                    throw fail("envFrom[\(index)].secretRef", "secret \"\(name)\" not found")
                }
                values = secret.bytes
            } else {
                continue
            }
            for (key, value) in values.sorted(by: { $0.key < $1.key }) where Self.isEnvVarName(prefix + key) {
                set(prefix + key, String(decoding: value, as: UTF8.self))
            }
        }

        for (envIndex, variable) in (spec.env ?? []).enumerated() {
            let field = "env[\(envIndex)].valueFrom"
            guard let source = variable.valueFrom else {
                set(variable.name, EnvExpansion.expand(variable.value ?? "", with: lookup))
                continue
            }
            if let path = source.fieldRef?.fieldPath {
                guard let value = downward.fieldValue(path, pod: pod) else {
                    throw fail("\(field).fieldRef.fieldPath", "Unsupported value: \"\(path)\"")
                }
                set(variable.name, value)
            } else if let selector = source.resourceFieldRef {
                guard let value = downward.resourceValue(selector, container: spec) else {
                    throw fail("\(field).resourceFieldRef.resource", "Unsupported value: \"\(selector.resource)\"")
                }
                set(variable.name, value)
            } else if let selector = source.configMapKeyRef {
                let name = selector.name ?? ""
                guard let configMap = objects.configMaps[name] else {
                    if selector.optional == true { continue }
                    throw fail("\(field).configMapKeyRef", "configmap \"\(name)\" not found")
                }
                guard let value = configMap.bytes[selector.key] else {
                    if selector.optional == true { continue }
                    throw fail("\(field).configMapKeyRef", "couldn't find key \(selector.key) in ConfigMap \(namespace)/\(name)")
                }
                set(variable.name, String(decoding: value, as: UTF8.self))
            } else if let selector = source.secretKeyRef {
                let name = selector.name ?? ""
                guard let secret = objects.secrets[name] else {
                    if selector.optional == true { continue }
                    throw fail("\(field).secretKeyRef", "secret \"\(name)\" not found")
                }
                guard let value = secret.bytes[selector.key] else {
                    if selector.optional == true { continue }
                    throw fail("\(field).secretKeyRef", "couldn't find key \(selector.key) in Secret \(namespace)/\(name)")
                }
                set(variable.name, String(decoding: value, as: UTF8.self))
            }
        }
        return result
    }
}
