/// A failed API call as the API server reports it: an HTTP code and a `Status` body.
///
/// The messages follow k8s.io/apimachinery's `errors` package (`pods "x" not found`,
/// `Operation cannot be fulfilled on pods "x": ...`), so agents can be tested against the text
/// a real master sends.
public struct APIStatusError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    /// `NotFound`, `AlreadyExists`, `Conflict`, `BadRequest`, `Invalid`, `MethodNotAllowed`,
    /// `Expired`, `ServiceUnavailable`, `InternalError`, ...
    public var reason: String
    public var message: String
    /// The `details` member (name, group, kind, uid) when the error is about one object.
    public var details: JSONValue?

    public init(code: Int, reason: String, message: String, details: JSONValue? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    public var description: String { "\(code) \(reason): \(message)" }

    /// The `Status` object sent as the response body or in a watch `ERROR` event.
    public var status: JSONValue {
        var body: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Failure",
            "message": .string(message), "reason": .string(reason), "code": .int(Int64(code)),
        ]
        if let details { body["details"] = details }
        return body
    }

    static func objectDetails(_ resource: Resource, _ name: String, uid: String? = nil) -> JSONValue {
        var details: JSONValue = ["name": .string(name), "kind": .string(resource.rawValue)]
        if !resource.group.isEmpty { details["group"] = .string(resource.group) }
        if let uid { details["uid"] = .string(uid) }
        return details
    }

    static func notFound(_ resource: Resource, _ name: String) -> APIStatusError {
        APIStatusError(
            code: 404, reason: "NotFound", message: "\(resource.qualifiedName) \"\(name)\" not found",
            details: objectDetails(resource, name))
    }

    static func alreadyExists(_ resource: Resource, _ name: String) -> APIStatusError {
        APIStatusError(
            code: 409, reason: "AlreadyExists", message: "\(resource.qualifiedName) \"\(name)\" already exists",
            details: objectDetails(resource, name))
    }

    /// `errors.NewConflict`: `Operation cannot be fulfilled on <resource> "<name>": <why>`.
    static func conflict(_ qualifiedName: String, _ name: String, _ why: String, kind: String, group: String = "")
        -> APIStatusError
    {
        var details: JSONValue = ["name": .string(name), "kind": .string(kind)]
        if !group.isEmpty { details["group"] = .string(group) }
        return APIStatusError(
            code: 409, reason: "Conflict",
            message: "Operation cannot be fulfilled on \(qualifiedName) \"\(name)\": \(why)", details: details)
    }

    /// The optimistic-lock failure of an update carrying a stale resourceVersion.
    static func staleResourceVersion(_ resource: Resource, _ name: String) -> APIStatusError {
        conflict(
            resource.qualifiedName, name,
            "the object has been modified; please apply your changes to the latest version and try again",
            kind: resource.rawValue, group: resource.group)
    }

    /// `errors.NewInvalid`: `<Kind> "<name>" is invalid: <field errors>`, code 422.
    static func invalid(_ resource: Resource, _ name: String, _ causes: [String]) -> APIStatusError {
        var details: JSONValue = ["name": .string(name), "kind": .string(resource.kind)]
        if !resource.group.isEmpty { details["group"] = .string(resource.group) }
        let text = causes.count == 1 ? causes[0] : "[" + causes.joined(separator: ", ") + "]"
        return APIStatusError(
            code: 422, reason: "Invalid", message: "\(resource.kind) \"\(name)\" is invalid: \(text)",
            details: details)
    }

    static func badRequest(_ message: String) -> APIStatusError {
        APIStatusError(code: 400, reason: "BadRequest", message: message)
    }

    static func internalError(_ message: String) -> APIStatusError {
        APIStatusError(
            code: 500, reason: "InternalError", message: "Internal error occurred: \(message)",
            details: ["causes": [["message": .string(message)]]])
    }

    static let methodNotAllowed = APIStatusError(
        code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource")

    static let pathNotFound = APIStatusError(
        code: 404, reason: "NotFound", message: "the server could not find the requested resource",
        details: .object([:]))

    static func expired(_ requested: Int64, _ oldest: Int64) -> APIStatusError {
        APIStatusError(code: 410, reason: "Expired", message: "too old resource version: \(requested) (\(oldest))")
    }

    /// The answer for an injected HTTP status (`failNext`), with the reason the API server
    /// uses for that code.
    static func injected(_ code: Int) -> APIStatusError {
        let reason: String
        let message: String
        switch code {
        case 400: (reason, message) = ("BadRequest", "injected fault: bad request")
        case 401: (reason, message) = ("Unauthorized", "Unauthorized")
        case 403: (reason, message) = ("Forbidden", "injected fault: forbidden")
        case 404: (reason, message) = ("NotFound", "the server could not find the requested resource")
        case 409: (reason, message) = ("Conflict", "injected fault: conflict")
        case 410: (reason, message) = ("Gone", "injected fault: gone")
        case 429: (reason, message) = ("TooManyRequests", "Too many requests, please try again later.")
        case 503: (reason, message) = ("ServiceUnavailable", "the server is currently unable to handle the request")
        case 504: (reason, message) = ("Timeout", "the server was unable to return a response in the time allotted")
        default: (reason, message) = ("InternalError", "Internal error occurred: injected fault")
        }
        return APIStatusError(code: code, reason: reason, message: message)
    }
}
