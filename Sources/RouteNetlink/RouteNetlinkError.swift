#if canImport(Glibc)
import Glibc
#endif

/// Why a routing (rtnetlink) operation failed, naming the operation and its object.
public enum RouteNetlinkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A C call on the way failed (`operation` names it and what it was for).
    case system(operation: String, errno: Int32)
    /// The kernel refused `operation` (e.g. "replace route 10.1.20.0/24 via 10.1.20.0 dev #4
    /// onlink"); `message` is its extended-ack text when it sent one, `otherFailures` how many
    /// later requests of the same batch it refused too.
    case refused(operation: String, errno: Int32, message: String?, otherFailures: Int)
    /// The kernel's answer to `operation` did not contain what it should.
    case malformedAnswer(operation: String)
    /// Fewer answers arrived than requests were sent.
    case missingAnswers(operation: String, expected: Int, received: Int)

    public var description: String {
        switch self {
        case let .system(operation, code): "\(operation): \(Self.text(code))"
        case let .refused(operation, code, message, others):
            "the kernel refused to \(operation): \(Self.text(code))" + (message.map { " (\($0))" } ?? "")
                + (others > 0 ? "; \(others) more request(s) of the batch were refused too" : "")
        case let .malformedAnswer(operation): "the kernel's answer to \(operation) could not be read"
        case let .missingAnswers(operation, expected, received):
            "\(operation): \(received) of \(expected) answers arrived"
        }
    }

    /// The errno of a refusal or failed call, for callers that treat ENOENT or EEXIST apart.
    public var errno: Int32? {
        switch self {
        case .system(_, let code), .refused(_, let code, _, _): code
        case .malformedAnswer, .missingAnswers: nil
        }
    }

    static func text(_ code: Int32) -> String { "\(String(cString: strerror(code))) (errno \(code))" }
}
