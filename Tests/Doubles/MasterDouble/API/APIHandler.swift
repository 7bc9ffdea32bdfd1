import CurlHTTP
import Foundation
import Synchronization

/// Serves the Kubernetes v1 API subset over the HTTP server: routing, faults, the request log,
/// and the answers of the registry.
final class APIHandler: Sendable {
    let store: ObjectStore
    let registry: Registry
    let faults: Faults
    let log: RequestLog
    let settings: SharedSettings
    let servesLeases: Bool
    /// Set while the listener is stopped, so that watch threads end.
    let stopping = Atomic<Bool>(false)
    private let port = Atomic<Int>(0)
    /// Requests to nodes that are answered whole (nodes/proxy); each names its own endpoint.
    let kubeletTransport = CurlTransport(endpoint: HTTPEndpoint(baseURL: "https://kubelet.invalid"), maxConcurrentRequests: 8)
    /// Signs and checks service account tokens (TokenRequest, TokenReview).
    let serviceAccountTokens = ServiceAccountTokenIssuer()

    init(store: ObjectStore, registry: Registry, faults: Faults, log: RequestLog, settings: SharedSettings, servesLeases: Bool) {
        self.store = store
        self.registry = registry
        self.faults = faults
        self.log = log
        self.settings = settings
        self.servesLeases = servesLeases
    }

    func setPort(_ value: Int) { port.store(value, ordering: .relaxed) }

    /// Serves one request; false closes the connection.
    func handle(_ request: HTTPRequestMessage, on connection: HTTPConnection) -> Bool {
        // Cut off: the request never reached the master; the connection ends without an answer.
        if faults.partitioned { return false }
        if let refused = refuseUnauthenticated(request, on: connection) { return refused }
        if let proxy = ProxyTarget.parse(request.path) { return serveProxy(proxy, request: request, on: connection) }
        let target = APITarget.parse(
            request.path, servesLeases: servesLeases, servesEndpointSlices: settings.withLock { $0.servesEndpointSlices })
        var verb = "other"
        var resourceLabel = ""
        var isWatch = false
        if case .resource(let route) = target {
            resourceLabel = route.resourceLabel
            isWatch = request.method == "GET"
                && (route.watchPath || ["true", "1"].contains(request.query["watch"] ?? ""))
            verb = Self.verb(method: request.method, route: route, isWatch: isWatch)
        } else if target == .tokenReview || target == .subjectAccessReview {
            verb = request.method == "POST" ? "create" : request.method.lowercased()
            resourceLabel = target == .tokenReview ? "tokenreviews" : "subjectaccessreviews"
        }
        func record(_ status: Int) {
            log.append(RequestRecord(
                method: request.method, path: request.target, verb: verb, resource: resourceLabel, status: status,
                time: Date()))
        }

        if faults.unavailable {
            let error = APIStatusError.injected(503)
            record(503)
            return connection.respond(status: 503, body: error.status.serialized())
        }
        if !isWatch, let code = faults.takeFailure() {
            record(code)
            return connection.respond(status: code, body: APIStatusError.injected(code).status.serialized())
        }

        switch target {
        case .health:
            record(200)
            return connection.respond(status: 200, contentType: "text/plain; charset=utf-8", body: Array("ok".utf8))
        case .notServed:
            record(404)
            return connection.respond(
                status: 404, contentType: "text/plain; charset=utf-8", body: Array("404 page not found\n".utf8))
        case .notFound:
            record(404)
            return connection.respond(status: 404, body: APIStatusError.pathNotFound.status.serialized())
        case .tokenReview, .subjectAccessReview:
            let (status, body) = Self.answer {
                guard request.method == "POST" else { throw APIStatusError.methodNotAllowed }
                let review = try Self.body(request)
                return (201, try target == .tokenReview ? tokenReview(review) : subjectAccessReview(review))
            }
            record(status)
            return connection.respond(status: status, body: body.serialized())
        case .version, .coreVersions, .coreResources, .groups, .coordinationGroup, .coordinationResources,
            .discoveryGroup, .discoveryResources:
            guard request.method == "GET" else {
                record(405)
                return connection.respond(status: 405, body: APIStatusError.methodNotAllowed.status.serialized())
            }
            record(200)
            return connection.respond(status: 200, body: discovery(target).serialized())
        case .resource(let route):
            if isWatch {
                record(200)
                return serveWatch(route, request: request, on: connection)
            }
            let (status, body) = Self.answer { try serve(route, request: request) }
            record(status)
            return connection.respond(status: status, body: body.serialized())
        }
    }

    static func verb(method: String, route: APIRoute, isWatch: Bool) -> String {
        switch method {
        case "GET": isWatch ? "watch" : (route.name == nil ? "list" : "get")
        case "POST": "create"
        case "PUT": "update"
        case "PATCH": "patch"
        case "DELETE": route.name == nil ? "deletecollection" : "delete"
        default: method.lowercased()
        }
    }

    // MARK: Resource requests

    private func serve(_ route: APIRoute, request: HTTPRequestMessage) throws -> (Int, JSONValue) {
        let resource = route.resource
        let namespace = route.namespace ?? ""
        let status = route.subresource == "status"
        if route.subresource == "token" { return try serveTokenRequest(route, request: request) }
        switch (request.method, route.name) {
        case ("GET", nil):
            let selection = try Self.selection(route, query: request.query)
            return store.read { state in
                let items = state.list(resource).filter(selection.matches).map { item -> JSONValue in
                    var item = item
                    item["kind"] = nil
                    item["apiVersion"] = nil
                    return item
                }
                return (200, [
                    "kind": .string(resource.listKind), "apiVersion": .string(resource.apiVersion),
                    "metadata": ["resourceVersion": .string(String(state.revision))], "items": .array(items),
                ])
            }
        case ("GET", let name?):
            let found = store.read { $0.get(resource, ObjectKey(namespace: namespace, name: name)) }
            guard let found else { throw APIStatusError.notFound(resource, name) }
            return (200, found)
        case ("POST", nil):
            guard resource.namespaced == (route.namespace != nil) else { throw APIStatusError.methodNotAllowed }
            let body = try Self.body(request)
            let created = try store.write { try registry.create(resource, namespace: route.namespace ?? "", body: body, in: &$0) }
            return (201, created)
        case ("PUT", let name?):
            let body = try Self.body(request)
            let updated = try store.write {
                try registry.update(resource, namespace: namespace, name: name, body: body, status: status, in: &$0)
            }
            return (200, updated)
        case ("PATCH", let name?):
            guard let type = PatchType(contentType: request.headers["content-type"] ?? "") else {
                throw APIStatusError(
                    code: 415, reason: "UnsupportedMediaType",
                    message: "the body of the request was in an unknown format - accepted media types include: "
                        + "application/merge-patch+json, application/strategic-merge-patch+json")
            }
            let patch = try Self.body(request)
            let patched = try store.write {
                try registry.patch(resource, namespace: namespace, name: name, patch: patch, type: type, status: status, in: &$0)
            }
            return (200, patched)
        case ("DELETE", let name?):
            guard !status else { throw APIStatusError.methodNotAllowed }
            let options = try Self.deleteOptions(request)
            let result = try store.write {
                try registry.delete(resource, namespace: namespace, name: name, options: options, in: &$0)
            }
            return (200, result)
        default:
            throw APIStatusError.methodNotAllowed
        }
    }

    static func selection(_ route: APIRoute, query: [String: String]) throws -> Selection {
        var selection = Selection(resource: route.resource, namespace: route.namespace, name: route.name)
        if let labels = query["labelSelector"], !labels.isEmpty {
            selection.labels = try LabelSelector(parsing: labels)
        }
        if let fields = query["fieldSelector"], !fields.isEmpty {
            selection.fields = try FieldSelector(parsing: fields, for: route.resource)
        }
        return selection
    }

    static func body(_ request: HTTPRequestMessage) throws -> JSONValue {
        do {
            return try JSONValue.parse(request.body)
        } catch {
            throw APIStatusError.badRequest("the body of the request could not be decoded as JSON: \(error)")
        }
    }

    private static func deleteOptions(_ request: HTTPRequestMessage) throws -> DeleteOptions {
        var options = DeleteOptions()
        if !request.body.isEmpty {
            let body = try Self.body(request)
            options.gracePeriodSeconds = body["gracePeriodSeconds"]?.intValue
            options.preconditionUID = body[path: ["preconditions", "uid"]]?.stringValue
            options.preconditionResourceVersion = body[path: ["preconditions", "resourceVersion"]]?.stringValue
            options.propagationPolicy = body["propagationPolicy"]?.stringValue
            if body["orphanDependents"]?.boolValue == true { options.propagationPolicy = "Orphan" }
        }
        if let text = request.query["gracePeriodSeconds"] {
            guard let value = Int64(text) else {
                throw APIStatusError.badRequest("invalid gracePeriodSeconds: \(text)")
            }
            options.gracePeriodSeconds = value
        }
        if let policy = request.query["propagationPolicy"] { options.propagationPolicy = policy }
        return options
    }

    // MARK: Discovery

    private func discovery(_ target: APITarget) -> JSONValue {
        switch target {
        case .version:
            return [
                "major": "1", "minor": "20", "gitVersion": "v1.20.0-clc-double",
                "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
                "buildDate": "2020-12-08T00:00:00Z", "goVersion": "go1.15.5", "compiler": "gc",
                "platform": "linux/amd64",
            ]
        case .coreVersions:
            return [
                "kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [
                    ["clientCIDR": "0.0.0.0/0", "serverAddress": .string("127.0.0.1:\(port.load(ordering: .relaxed))")]
                ],
            ]
        case .coreResources:
            return Self.resourceList(groupVersion: "v1", Resource.allCases.filter { $0.group.isEmpty })
        case .groups:
            var groups: [JSONValue] = []
            if servesLeases { groups.append(Self.coordinationGroup) }
            if settings.withLock({ $0.servesEndpointSlices }) { groups.append(Self.discoveryGroup) }
            return ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups)]
        case .coordinationGroup:
            var group = Self.coordinationGroup
            group["apiVersion"] = "v1"
            return group
        case .coordinationResources:
            return Self.resourceList(groupVersion: "coordination.k8s.io/v1", [.leases])
        case .discoveryGroup:
            var group = Self.discoveryGroup
            group["apiVersion"] = "v1"
            return group
        case .discoveryResources:
            return Self.resourceList(groupVersion: "discovery.k8s.io/v1", [.endpointslices])
        default:
            return .null
        }
    }

    private static let coordinationGroup: JSONValue = [
        "kind": "APIGroup", "name": "coordination.k8s.io",
        "versions": [["groupVersion": "coordination.k8s.io/v1", "version": "v1"]],
        "preferredVersion": ["groupVersion": "coordination.k8s.io/v1", "version": "v1"],
    ]

    private static let discoveryGroup: JSONValue = [
        "kind": "APIGroup", "name": "discovery.k8s.io",
        "versions": [["groupVersion": "discovery.k8s.io/v1", "version": "v1"]],
        "preferredVersion": ["groupVersion": "discovery.k8s.io/v1", "version": "v1"],
    ]

    private static func resourceList(groupVersion: String, _ resources: [Resource]) -> JSONValue {
        var entries: [JSONValue] = []
        for resource in resources {
            entries.append([
                "name": .string(resource.rawValue), "singularName": "", "namespaced": .bool(resource.namespaced),
                "kind": .string(resource.kind),
                "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
            ])
            if resource.hasStatus {
                entries.append([
                    "name": .string("\(resource.rawValue)/status"), "singularName": "",
                    "namespaced": .bool(resource.namespaced), "kind": .string(resource.kind),
                    "verbs": ["get", "patch", "update"],
                ])
            }
        }
        return ["kind": "APIResourceList", "groupVersion": .string(groupVersion), "resources": .array(entries)]
    }
}

extension APIHandler {
    /// The status and body of a request `work` serves: its own, or those of the API error it
    /// throws (any other error is a 500, as the API server's).
    static func answer(_ work: () throws -> (Int, JSONValue)) -> (Int, JSONValue) {
        do {
            return try work()
        } catch let error as APIStatusError {
            return (error.code, error.status)
        } catch {
            let wrapped = APIStatusError.internalError("\(error)")
            return (wrapped.code, wrapped.status)
        }
    }
}
