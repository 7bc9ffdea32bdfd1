/// Why a log request cannot be served, with the HTTP status kubelet answers it with and a
/// message that names the pod, container or query field.
public struct LogRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 400 bad query, 404 unknown pod or container, 422 invalid options, 500 engine failure.
    public var status: Int
    public var message: String

    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }

    static func badQuery(_ field: String, _ value: String, _ why: String) -> LogRequestError {
        LogRequestError(status: 400, message: "invalid query parameter \(field)=\"\(value)\": \(why)")
    }

    static func invalid(_ field: String, _ why: String) -> LogRequestError {
        LogRequestError(status: 422, message: "PodLogOptions is invalid: \(field): \(why)")
    }
}
