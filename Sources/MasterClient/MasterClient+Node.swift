import Foundation
import KubeAPI

extension MasterClient {
    /// Registers the node: creates it, or, when it exists already (409 AlreadyExists), reads it.
    /// - Returns: the node as the master holds it.
    public func registerNode(_ node: Node) async throws(MasterError) -> Node {
        do {
            return try await send("POST", "/api/v1/nodes", node, as: Node.self)
        } catch where error.isConflict {
            return try await get(Node.self, "/api/v1/nodes/\(node.metadata.name ?? "")")
        }
    }

    /// Writes the node's status with a strategic merge patch of the status subresource.
    @discardableResult
    public func patchNodeStatus(name: String, status: NodeStatus) async throws(MasterError) -> Node {
        struct Patch: Encodable { var status: NodeStatus }
        return try await send(
            "PATCH", "/api/v1/nodes/\(name)/status", Patch(status: status), as: Node.self,
            contentType: "application/strategic-merge-patch+json")
    }

    /// Whether the master serves `coordination.k8s.io/v1` (older masters do not).
    public func servesLeases() async throws(MasterError) -> Bool {
        do {
            try await request("GET", "/apis/coordination.k8s.io/v1")
            return true
        } catch where error.isNotFound {
            return false
        }
    }

    /// Renews the node's Lease in `kube-node-lease`, creating it the first time. Like kubelet,
    /// it updates the lease it got back last time and reads it again only when that update
    /// conflicts or there is none yet.
    /// - Parameter current: the lease the previous renewal returned.
    /// - Returns: the lease as the master now holds it, for the next renewal.
    public func renewLease(node: String, durationSeconds: Int32, now: Date, current: Lease? = nil) async throws(MasterError) -> Lease {
        let path = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"
        let renewTime = KubeTime.formatMicro(now)
        func renewed(_ lease: Lease) -> Lease {
            var lease = lease
            lease.spec = LeaseSpec(
                holderIdentity: node, leaseDurationSeconds: durationSeconds, renewTime: renewTime, acquireTime: lease.spec?.acquireTime)
            return lease
        }
        if let current {
            do {
                return try await send("PUT", "\(path)/\(node)", renewed(current), as: Lease.self)
            } catch where error.isConflict || error.isNotFound {
                // Someone else wrote it, or it was deleted: start over from what the master has.
            }
        }
        do {
            let lease = try await get(Lease.self, "\(path)/\(node)")
            return try await send("PUT", "\(path)/\(node)", renewed(lease), as: Lease.self)
        } catch where error.isNotFound {
            let lease = Lease(
                metadata: ObjectMeta(name: node, namespace: "kube-node-lease"),
                spec: LeaseSpec(holderIdentity: node, leaseDurationSeconds: durationSeconds, renewTime: renewTime, acquireTime: renewTime))
            return try await send("POST", path, lease, as: Lease.self)
        }
    }
}

extension KubeTime {
    /// MicroTime: RFC 3339 with microseconds, as Lease renewTime wants.
    public static func formatMicro(_ date: Date) -> String {
        let seconds = format(date)
        let micro = Int((date.timeIntervalSince1970 - floor(date.timeIntervalSince1970)) * 1_000_000)
        return seconds.replacingOccurrences(of: "Z", with: String(format: ".%06dZ", micro))
    }
}
