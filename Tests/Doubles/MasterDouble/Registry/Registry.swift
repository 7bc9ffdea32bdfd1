import Foundation
import KubeAPI

/// The API server's write semantics over `StoreState`: create, update, patch and delete with
/// defaulting, optimistic concurrency, the status subresource and graceful deletion, following
/// the generic registry store and the per-resource strategies of kube-apiserver.
struct Registry: Sendable {
    var clock: @Sendable () -> Date = { Date() }

    private var now: String { KubeTime.format(clock()) }

    // MARK: Create

    /// POST: stores a new object and returns it as stored.
    ///
    /// - Parameter urlNamespace: The namespace of the request path; nil for client-side calls,
    ///   which take the object's own namespace or `default`.
    func create(
        _ resource: Resource, namespace urlNamespace: String?, body: JSONValue, in state: inout StoreState
    ) throws -> JSONValue {
        var object = try checkedBody(resource, body)
        if resource.namespaced {
            let given = object.namespace ?? ""
            let namespace: String
            if let urlNamespace {
                if !given.isEmpty, given != urlNamespace {
                    throw APIStatusError.badRequest(
                        "the namespace of the provided object does not match the namespace sent on the request")
                }
                namespace = urlNamespace
            } else {
                namespace = given.isEmpty ? "default" : given
            }
            object[path: ["metadata", "namespace"]] = .string(namespace)
        } else {
            object[path: ["metadata", "namespace"]] = nil
        }
        if let version = object.resourceVersion, !version.isEmpty {
            throw APIStatusError.internalError("resourceVersion should not be set on objects to be created")
        }
        let namespace = object.namespace ?? ""
        if (object.name ?? "").isEmpty {
            guard let prefix = object[path: ["metadata", "generateName"]]?.stringValue, !prefix.isEmpty else {
                throw APIStatusError.invalid(
                    resource, "", ["metadata.name: Required value: name or generateName is required"])
            }
            object[path: ["metadata", "name"]] = .string(
                uniqueName(prefix: prefix, resource: resource, namespace: namespace, in: state))
        }
        let name = object.name ?? ""
        if resource != .pods, let problem = Registry.subdomainProblem(name) {
            throw APIStatusError.invalid(resource, name, ["metadata.name: Invalid value: \"\(name)\": \(problem)"])
        }
        if resource == .pods { try ensureNamespaceDefaults(namespace, in: &state) }
        object = try prepareForCreate(resource, object, in: state)
        if state.get(resource, ObjectKey(namespace: namespace, name: name)) != nil {
            throw APIStatusError.alreadyExists(resource, name)
        }
        object[path: ["metadata", "uid"]] = .string(UUID().uuidString.lowercased())
        object[path: ["metadata", "creationTimestamp"]] = .string(now)
        object[path: ["metadata", "deletionTimestamp"]] = nil
        object[path: ["metadata", "deletionGracePeriodSeconds"]] = nil
        if resource.tracksGeneration { object[path: ["metadata", "generation"]] = 1 }
        return state.put(resource, object)
    }

    // MARK: Update

    /// PUT of the object or (with `status`) of its status subresource.
    ///
    /// A non-empty `metadata.resourceVersion` must equal the stored one (409 otherwise); an
    /// empty one updates unconditionally, as the API server allows for these resources.
    func update(
        _ resource: Resource, namespace: String, name: String, body: JSONValue, status: Bool,
        in state: inout StoreState
    ) throws -> JSONValue {
        let object = try checkedBody(resource, body)
        if object.name != name {
            throw APIStatusError.badRequest(
                "the name of the object (\(object.name ?? "")) does not match the name on the URL (\(name))")
        }
        if resource.namespaced, let given = object.namespace, !given.isEmpty, given != namespace {
            throw APIStatusError.badRequest(
                "the namespace of the provided object does not match the namespace sent on the request")
        }
        let key = ObjectKey(namespace: resource.namespaced ? namespace : "", name: name)
        guard let existing = state.get(resource, key) else {
            if resource.createsOnUpdate, !status {
                var fresh = object
                fresh[path: ["metadata", "resourceVersion"]] = nil
                return try create(resource, namespace: resource.namespaced ? namespace : nil, body: fresh, in: &state)
            }
            throw APIStatusError.notFound(resource, name)
        }
        if let version = object.resourceVersion, !version.isEmpty, version != existing.resourceVersion {
            throw APIStatusError.staleResourceVersion(resource, name)
        }
        if let uid = object.uid, !uid.isEmpty, uid != existing.uid {
            throw APIStatusError.conflict(
                resource.qualifiedName, name,
                "StorageError: invalid object, Code: 4, Key: \(Registry.storageKey(resource, key)), ResourceVersion: 0, "
                    + "AdditionalErrorMsg: Precondition failed: UID in precondition: \(uid), "
                    + "UID in object meta: \(existing.uid ?? "")",
                kind: resource.rawValue, group: resource.group)
        }
        return try commitUpdate(resource, new: object, old: existing, status: status, in: &state)
    }

    // MARK: Patch

    /// PATCH of the object or its status: the patch is applied to the stored object, then the
    /// result goes through the update path. Returns the object as stored (HTTP 200).
    func patch(
        _ resource: Resource, namespace: String, name: String, patch: JSONValue, type: PatchType, status: Bool,
        in state: inout StoreState
    ) throws -> JSONValue {
        let key = ObjectKey(namespace: resource.namespaced ? namespace : "", name: name)
        guard let existing = state.get(resource, key) else { throw APIStatusError.notFound(resource, name) }
        guard case .object = patch else {
            throw APIStatusError.badRequest("the patch must be a JSON object")
        }
        var patched: JSONValue
        switch type {
        case .merge: patched = existing.applyingMergePatch(patch)
        case .strategicMerge: patched = try StrategicMergePatch.schema(for: resource).apply(patch, to: existing)
        }
        if patched.name != name {
            throw APIStatusError.badRequest(
                "the name of the object (\(patched.name ?? "")) does not match the name on the URL (\(name))")
        }
        if let version = patch[path: ["metadata", "resourceVersion"]]?.stringValue, !version.isEmpty,
            version != existing.resourceVersion
        {
            throw APIStatusError.staleResourceVersion(resource, name)
        }
        if patched.uid != existing.uid {
            throw APIStatusError.invalid(
                resource, name, ["metadata.uid: Invalid value: \"\(patched.uid ?? "")\": field is immutable"])
        }
        return try commitUpdate(resource, new: patched, old: existing, status: status, in: &state)
    }

    // MARK: Delete

    /// DELETE: pods are deleted gracefully (deletionTimestamp = now + grace period) unless the
    /// grace period is 0, the pod is unscheduled or finished; other resources go at once.
    ///
    /// - Returns: The pod (its final state) or a `Status` of success for other resources.
    func delete(
        _ resource: Resource, namespace: String, name: String, options: DeleteOptions, in state: inout StoreState
    ) throws -> JSONValue {
        let key = ObjectKey(namespace: resource.namespaced ? namespace : "", name: name)
        guard var object = state.get(resource, key) else { throw APIStatusError.notFound(resource, name) }
        if let uid = options.preconditionUID, uid != object.uid {
            throw APIStatusError.conflict(
                resource.kind, name,
                "the UID in the precondition (\(uid)) does not match the UID in record (\(object.uid ?? "")). "
                    + "The object might have been deleted and then recreated",
                kind: resource.kind, group: resource.group)
        }
        if let version = options.preconditionResourceVersion, version != object.resourceVersion {
            throw APIStatusError.conflict(
                resource.kind, name,
                "the ResourceVersion in the precondition (\(version)) does not match the ResourceVersion in record "
                    + "(\(object.resourceVersion ?? "")). The object might have been modified",
                kind: resource.kind, group: resource.group)
        }
        let requested = options.gracePeriodSeconds.map { $0 < 0 ? 1 : $0 }

        if resource == .pods {
            if object.isTerminating {
                let current = object[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue
                if let current, current > 0 {
                    guard let shorter = requested, shorter < current else { return object }
                    // Only a shorter grace period may be given: move the deadline accordingly.
                    let stamp = object[path: ["metadata", "deletionTimestamp"]]?.stringValue.flatMap(KubeTime.parse)
                        ?? clock()
                    object[path: ["metadata", "deletionTimestamp"]] = .string(
                        KubeTime.format(stamp.addingTimeInterval(Double(shorter - current))))
                    object[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(shorter)
                    object = state.put(resource, object)
                    if shorter > 0 { return object }
                }
            } else {
                var period = requested ?? object[path: ["spec", "terminationGracePeriodSeconds"]]?.intValue ?? 0
                if (object[path: ["spec", "nodeName"]]?.stringValue ?? "").isEmpty { period = 0 }
                let phase = object[path: ["status", "phase"]]?.stringValue
                if phase == "Succeeded" || phase == "Failed" { period = 0 }
                if period < 0 { period = 1 }
                object[path: ["metadata", "deletionTimestamp"]] = .string(
                    KubeTime.format(clock().addingTimeInterval(Double(period))))
                object[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(period)
                if let generation = object[path: ["metadata", "generation"]]?.intValue, generation > 0 {
                    object[path: ["metadata", "generation"]] = .int(generation + 1)
                }
                object = state.put(resource, object)
                if period > 0 { return object }
            }
        }

        let removed = state.remove(resource, key) ?? object
        if resource == .services {
            // The endpoints controller removes a deleted service's endpoints.
            state.remove(.endpoints, key)
        }
        if resource == .replicationcontrollers {
            try collectDependents(of: removed, policy: options.propagationPolicy ?? "Orphan", in: &state)
        }
        if resource == .pods { return removed }
        return [
            "kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Success",
            "details": APIStatusError.objectDetails(resource, name, uid: removed.uid),
        ]
    }

    // MARK: Internal writes of the controllers

    /// What the scheduler's `pods/binding` does: sets the node and a PodScheduled condition.
    func bind(pod: JSONValue, to node: String, in state: inout StoreState) {
        var object = pod
        object[path: ["spec", "nodeName"]] = .string(node)
        var conditions = object[path: ["status", "conditions"]]?.arrayValue ?? []
        conditions.removeAll { $0["type"]?.stringValue == "PodScheduled" }
        conditions.append([
            "type": "PodScheduled", "status": "True", "lastProbeTime": .null, "lastTransitionTime": .string(now),
        ])
        object[path: ["status", "conditions"]] = .array(conditions)
        state.put(.pods, object)
    }

    // MARK: Helpers

    private func checkedBody(_ resource: Resource, _ body: JSONValue) throws -> JSONValue {
        guard case .object = body else {
            throw APIStatusError.badRequest("the body of the request must be a JSON object")
        }
        var object = body
        if let kind = object["kind"]?.stringValue, !kind.isEmpty, kind != resource.kind {
            throw APIStatusError.badRequest(
                "\(kind) in version \"\(object["apiVersion"]?.stringValue ?? "")\" cannot be handled as a \(resource.kind): "
                    + "the kind of the object does not match the resource")
        }
        object["kind"] = .string(resource.kind)
        object["apiVersion"] = .string(resource.apiVersion)
        if object["metadata"]?.objectValue == nil { object["metadata"] = .object([:]) }
        return object
    }

    /// Applies the update strategy and writes, unless nothing changed: like etcd's
    /// GuaranteedUpdate, an identical object is not written again (no new resourceVersion, no
    /// watch event).
    private func commitUpdate(
        _ resource: Resource, new: JSONValue, old: JSONValue, status: Bool, in state: inout StoreState
    ) throws -> JSONValue {
        var object: JSONValue
        if status {
            object = old
            object["status"] = new["status"]
            object[path: ["metadata", "labels"]] = new[path: ["metadata", "labels"]]
            object[path: ["metadata", "annotations"]] = new[path: ["metadata", "annotations"]]
            if resource == .pods, object[path: ["status", "qosClass"]] == nil {
                object[path: ["status", "qosClass"]] = old[path: ["status", "qosClass"]]
            }
        } else {
            object = new
            if resource.hasStatus { object["status"] = old["status"] }
            object = try prepareForUpdate(resource, object, old: old, in: state)
        }
        for field in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace", "name"] {
            object[path: ["metadata", field]] = old[path: ["metadata", field]]
        }
        if resource.tracksGeneration {
            var generation = old[path: ["metadata", "generation"]]?.intValue ?? 1
            if !status, object["spec"] != old["spec"] { generation += 1 }
            object[path: ["metadata", "generation"]] = .int(generation)
        }
        object["kind"] = .string(resource.kind)
        object["apiVersion"] = .string(resource.apiVersion)
        object[path: ["metadata", "resourceVersion"]] = old[path: ["metadata", "resourceVersion"]]
        if object == old { return old }
        return state.put(resource, object)
    }

    /// The garbage collector's part of deleting a replication controller: `Orphan` removes the
    /// owner reference from its pods, `Background`/`Foreground` deletes them (gracefully).
    private func collectDependents(of owner: JSONValue, policy: String, in state: inout StoreState) throws {
        guard let uid = owner.uid else { return }
        for pod in state.list(.pods, namespace: owner.namespace ?? "default") {
            let references = pod[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []
            guard references.contains(where: { $0["uid"]?.stringValue == uid }) else { continue }
            if policy == "Orphan" {
                var orphan = pod
                let kept = references.filter { $0["uid"]?.stringValue != uid }
                orphan[path: ["metadata", "ownerReferences"]] = kept.isEmpty ? nil : .array(kept)
                state.put(.pods, orphan)
            } else if !pod.isTerminating {
                _ = try delete(
                    .pods, namespace: pod.namespace ?? "default", name: pod.name ?? "", options: DeleteOptions(),
                    in: &state)
            }
        }
    }

    private func uniqueName(prefix: String, resource: Resource, namespace: String, in state: StoreState) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        let base = String(prefix.prefix(58))
        while true {
            let suffix = String((0..<5).map { _ in alphabet.randomElement()! })
            let candidate = base + suffix
            if state.get(resource, ObjectKey(namespace: namespace, name: candidate)) == nil { return candidate }
        }
    }

    static func storageKey(_ resource: Resource, _ key: ObjectKey) -> String {
        let prefix = resource == .services ? "services/specs" : resource == .replicationcontrollers ? "controllers" : resource.rawValue
        return key.namespace.isEmpty ? "/registry/\(prefix)/\(key.name)" : "/registry/\(prefix)/\(key.namespace)/\(key.name)"
    }

    /// The DNS-1123 subdomain rule for object names; nil when the name is valid.
    static func subdomainProblem(_ name: String) -> String? {
        let message =
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
            + "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation "
            + "is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        if name.isEmpty || name.utf8.count > 253 { return name.isEmpty ? message : "must be no more than 253 characters" }
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            guard let first = label.utf8.first, let last = label.utf8.last else { return message }
            func alphanumeric(_ byte: UInt8) -> Bool {
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            }
            if !alphanumeric(first) || !alphanumeric(last) { return message }
            if !label.utf8.allSatisfy({ alphanumeric($0) || $0 == UInt8(ascii: "-") }) { return message }
        }
        return nil
    }
}
