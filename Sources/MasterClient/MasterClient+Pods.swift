import Foundation
import KubeAPI

extension MasterClient {
    /// Writes a pod's status: a strategic merge patch of the status subresource, carrying the
    /// pod's UID so that a pod recreated under the same name is not touched.
    @discardableResult
    public func patchPodStatus(namespace: String, name: String, uid: String, status: PodStatus) async throws(MasterError) -> Pod {
        struct Metadata: Encodable { var uid: String }
        struct Patch: Encodable {
            var metadata: Metadata
            var status: PodStatus
        }
        return try await send(
            "PATCH", "/api/v1/namespaces/\(namespace)/pods/\(name)/status", Patch(metadata: Metadata(uid: uid), status: status),
            as: Pod.self, contentType: "application/strategic-merge-patch+json")
    }

    /// The older way to write status: PUT the whole pod with its resourceVersion; on 409 Conflict
    /// read it again and retry.
    @discardableResult
    public func putPodStatus(namespace: String, name: String, uid: String, status: PodStatus, attempts: Int = 5) async throws(MasterError) -> Pod {
        let path = "/api/v1/namespaces/\(namespace)/pods/\(name)"
        var remaining = attempts
        while true {
            var pod = try await get(Pod.self, path)
            guard pod.metadata.uid == uid else {
                throw .status(request: "PUT \(path)/status", code: 409, reason: "Conflict", message: "pod was replaced (uid \(pod.metadata.uid ?? "") is not \(uid))")
            }
            pod.status = status
            do {
                return try await send("PUT", path + "/status", pod, as: Pod.self)
            } catch where error.isConflict && remaining > 1 {
                remaining -= 1
            }
        }
    }

    /// Confirms a pod's deletion once its containers are gone: DELETE with grace period 0 and
    /// the pod's UID as precondition, as kubelet does. A pod already gone is fine.
    public func confirmPodDeletion(namespace: String, name: String, uid: String) async throws(MasterError) {
        struct Preconditions: Encodable { var uid: String }
        struct Options: Encodable {
            var kind = "DeleteOptions"
            var apiVersion = "v1"
            var gracePeriodSeconds = 0
            var preconditions: Preconditions
        }
        let label = "DELETE pod \(namespace)/\(name)"
        do {
            try await request(
                "DELETE", "/api/v1/namespaces/\(namespace)/pods/\(name)",
                body: try encode(Options(preconditions: Preconditions(uid: uid)), label: label))
        } catch where error.isNotFound {
            return
        }
    }

    /// Posts a new event.
    public func createEvent(_ event: Event) async throws(MasterError) -> Event {
        try await send("POST", "/api/v1/namespaces/\(event.metadata.namespace ?? "default")/events", event, as: Event.self, contentType: "application/json")
    }

    /// Counts a repeat of an event already posted.
    public func updateEventCount(namespace: String, name: String, count: Int32, lastTimestamp: String) async throws(MasterError) {
        struct Patch: Encodable {
            var count: Int32
            var lastTimestamp: String
        }
        _ = try await send(
            "PATCH", "/api/v1/namespaces/\(namespace)/events/\(name)", Patch(count: count, lastTimestamp: lastTimestamp), as: Event.self,
            contentType: "application/strategic-merge-patch+json")
    }
}
