import Testing

@testable import NodeServer

@Suite("Node API paths")
struct NodeRouteTests {
    static let cases: [(String, NodeRoute)] = [
        ("/healthz", .healthz),
        ("/pods", .pods),
        ("/pods/", .pods),
        ("/runningpods/", .runningPods),
        ("/containerLogs/default/web/nginx", .containerLogs(namespace: "default", pod: "web", container: "nginx")),
        ("/containerLogs/kube%2Dsystem/web/nginx", .containerLogs(namespace: "kube-system", pod: "web", container: "nginx")),
        ("/containerLogs/default/web", .notFound),
        ("/containerLogs/default//nginx", .notFound),
        ("/stats/summary", .statsSummary),
        ("/stats/summary/", .statsSummary),
        ("/stats", .notFound),
        ("/metrics", .metrics(.kubelet)),
        ("/metrics/cadvisor", .metrics(.cadvisor)),
        ("/metrics/resource", .metrics(.resource)),
        ("/metrics/probes", .metrics(.probes)),
        ("/metrics/other", .notFound),
        ("/exec/default/web/nginx", .streaming(.exec)),
        ("/exec/default/web/uid-1/nginx", .streaming(.exec)),
        ("/exec/default/web", .notFound),
        ("/attach/default/web/nginx", .streaming(.attach)),
        ("/portForward/default/web", .streaming(.portForward)),
        ("/portForward/default/web/uid-1", .streaming(.portForward)),
        ("/portForward/default", .notFound),
        ("/", .notFound),
        ("/nope", .notFound),
    ]

    @Test("kubelet's paths map to their routes; anything else is not found", arguments: cases)
    func matches(_ path: String, _ route: NodeRoute) {
        #expect(NodeRoute(path: path) == route)
    }

    @Test("query parameters are read as Go's url.ParseQuery reads them")
    func query() {
        let query = QueryParameters.parse("command=sh&command=-c&command=echo+hi%21&stdin=1&tty")
        #expect(query["command"] == ["sh", "-c", "echo hi!"])
        #expect(query["stdin"] == ["1"])
        #expect(query["tty"] == [""])
        #expect(QueryParameters.parse(nil).isEmpty)
    }
}
