/// Kubernetes' strategic merge patch (`application/strategic-merge-patch+json`) over JSON
/// values, driven by the `patchStrategy`/`patchMergeKey` tags of the v1 types.
///
/// Lists with a merge key merge element by element (`status.conditions` on `type`); lists
/// without one are replaced whole — `status.containerStatuses` carries no patch tags in
/// k8s.io/api, so a patch must send the complete list. Supported directives: `$patch`
/// (`replace`, `delete`), `$retainKeys`, `$setElementOrder/<list>`,
/// `$deleteFromPrimitiveList/<list>`; `null` removes a field.
struct StrategicMergePatch {
    /// List paths (object keys joined by ".", list elements adding nothing) to their merge key.
    let mergeKeys: [String: String]
    /// Lists of scalars that merge as sets (`metadata.finalizers`).
    let mergedScalarLists: Set<String>

    /// Patch tags of the v1 types the double serves, from k8s.io/api core/v1 and
    /// coordination/v1.
    static func schema(for resource: Resource) -> StrategicMergePatch {
        var keys: [String: String] = ["metadata.ownerReferences": "uid"]
        let scalarSets: Set<String> = ["metadata.finalizers"]
        switch resource {
        case .pods:
            for spec in ["spec", "spec.template.spec"] {
                keys["\(spec).containers"] = "name"
                keys["\(spec).initContainers"] = "name"
                keys["\(spec).volumes"] = "name"
                keys["\(spec).imagePullSecrets"] = "name"
                for list in ["containers", "initContainers"] {
                    keys["\(spec).\(list).ports"] = "containerPort"
                    keys["\(spec).\(list).env"] = "name"
                    keys["\(spec).\(list).volumeMounts"] = "mountPath"
                }
            }
            keys["status.conditions"] = "type"
            keys["status.podIPs"] = "ip"
            keys["status.hostIPs"] = "ip"
        case .nodes:
            keys["status.conditions"] = "type"
            keys["status.addresses"] = "type"
        case .services:
            keys["spec.ports"] = "port"
        case .replicationcontrollers:
            keys["status.conditions"] = "type"
            keys["spec.template.spec.containers"] = "name"
            keys["spec.template.spec.volumes"] = "name"
        case .endpoints, .events, .leases, .secrets, .configmaps, .serviceaccounts:
            break
        case .endpointslices:
            // EndpointSlice lists carry no patch strategy: they are replaced whole.
            break
        }
        return StrategicMergePatch(mergeKeys: keys, mergedScalarLists: scalarSets)
    }

    /// The original with the patch applied.
    ///
    /// - Throws: `APIStatusError.badRequest` when the patch is not an object or a directive is
    ///   malformed.
    func apply(_ patch: JSONValue, to original: JSONValue) throws(APIStatusError) -> JSONValue {
        guard case .object = patch else {
            throw .badRequest("a strategic merge patch must be a JSON object")
        }
        return try mergeMap(original, patch, path: "") ?? .object([:])
    }

    /// nil means "delete this map" (`$patch: delete`).
    private func mergeMap(_ original: JSONValue, _ patch: JSONValue, path: String) throws(APIStatusError) -> JSONValue? {
        guard case .object(var patchMembers) = patch else { return patch }
        if let directive = patchMembers["$patch"]?.stringValue {
            switch directive {
            case "replace":
                patchMembers.removeValue(forKey: "$patch")
                return .object(patchMembers)
            case "delete":
                return nil
            case "merge":
                patchMembers.removeValue(forKey: "$patch")
            default:
                throw .badRequest("Unknown patch type: \(directive) in map: \(patch.text)")
            }
        }
        var result: [String: JSONValue] = original.objectValue ?? [:]
        if let retain = patchMembers.removeValue(forKey: "$retainKeys") {
            guard let keys = retain.arrayValue?.compactMap(\.stringValue) else {
                throw .badRequest("invalid $retainKeys directive: \(retain.text)")
            }
            result = result.filter { keys.contains($0.key) }
        }
        var orders: [String: [JSONValue]] = [:]
        var deletions: [String: [JSONValue]] = [:]
        for (key, value) in patchMembers {
            if key.hasPrefix("$setElementOrder/") {
                orders[String(key.dropFirst("$setElementOrder/".count))] = value.arrayValue ?? []
                continue
            }
            if key.hasPrefix("$deleteFromPrimitiveList/") {
                deletions[String(key.dropFirst("$deleteFromPrimitiveList/".count))] = value.arrayValue ?? []
                continue
            }
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            switch value {
            case .null:
                result.removeValue(forKey: key)
            case .object:
                if let merged = try mergeMap(result[key] ?? .object([:]), value, path: childPath) {
                    result[key] = merged
                } else {
                    result.removeValue(forKey: key)
                }
            case .array(let items):
                if let mergeKey = mergeKeys[childPath] {
                    result[key] = .array(try mergeList(result[key]?.arrayValue ?? [], items, key: mergeKey, path: childPath))
                } else if mergedScalarLists.contains(childPath) {
                    var merged = result[key]?.arrayValue ?? []
                    for item in items where !merged.contains(item) { merged.append(item) }
                    result[key] = .array(merged)
                } else {
                    result[key] = value
                }
            default:
                result[key] = value
            }
        }
        for (key, values) in deletions {
            if let list = result[key]?.arrayValue {
                result[key] = .array(list.filter { !values.contains($0) })
            }
        }
        for (key, order) in orders {
            guard let list = result[key]?.arrayValue else { continue }
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            result[key] = .array(reorder(list, by: order, key: mergeKeys[childPath]))
        }
        return .object(result)
    }

    private func mergeList(_ original: [JSONValue], _ patch: [JSONValue], key: String, path: String) throws(APIStatusError) -> [JSONValue] {
        if patch.contains(where: { $0["$patch"]?.stringValue == "replace" && $0.objectValue?.count == 1 }) {
            return patch.filter { !($0["$patch"]?.stringValue == "replace" && $0.objectValue?.count == 1) }
        }
        var result = original
        for item in patch {
            guard case .object = item, let keyValue = item[key] else {
                throw .badRequest("map: \(item.text) does not contain declared merge key: \(key)")
            }
            let index = result.firstIndex { $0[key] == keyValue }
            if item["$patch"]?.stringValue == "delete" {
                result.removeAll { $0[key] == keyValue }
                continue
            }
            if let index {
                if let merged = try mergeMap(result[index], item, path: path) {
                    result[index] = merged
                } else {
                    result.remove(at: index)
                }
            } else if let added = try mergeMap(.object([:]), item, path: path) {
                result.append(added)
            }
        }
        return result
    }

    /// `$setElementOrder`: the listed elements first, in the order given, then the others in
    /// their existing order.
    private func reorder(_ list: [JSONValue], by order: [JSONValue], key: String?) -> [JSONValue] {
        func identity(_ value: JSONValue) -> JSONValue { key.flatMap { value[$0] } ?? value }
        var remaining = list
        var result: [JSONValue] = []
        for wanted in order {
            let wantedID = identity(wanted)
            if let index = remaining.firstIndex(where: { identity($0) == wantedID }) {
                result.append(remaining.remove(at: index))
            }
        }
        return result + remaining
    }
}
