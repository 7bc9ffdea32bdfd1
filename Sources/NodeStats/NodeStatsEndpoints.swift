/// The node server's stats endpoints, each a closure-shaped method answering from the latest
/// snapshot in a ``StatsStore``: no file is read on a request, and each rendering is made once
/// per sampling pass. Before the first pass they answer an empty document.
public struct NodeStatsEndpoints: Sendable {
    public typealias Response = (contentType: String, body: [UInt8])

    public let store: StatsStore

    public init(store: StatsStore) {
        self.store = store
    }

    /// `GET /stats/summary` (and `/stats/summary?only_cpu_and_memory=true`, which kubelet
    /// answers with the same document less the rest; here: the same document).
    public func summary() async -> Response {
        ("application/json", store.rendered("summary", SummaryBuilder.json) ?? Array("{}".utf8))
    }

    /// `GET /metrics/cadvisor`.
    public func cadvisor() async -> Response {
        (CadvisorMetrics.contentType, store.rendered("cadvisor", CadvisorMetrics.render) ?? [])
    }

    /// `GET /metrics/resource`.
    public func resource() async -> Response {
        (ResourceMetrics.contentType, store.rendered("resource", ResourceMetrics.render) ?? [])
    }
}
