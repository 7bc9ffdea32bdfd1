import Foundation
import KubeAPI

/// The query of `GET /containerLogs/{namespace}/{pod}/{container}`: v1 PodLogOptions, as the
/// master passes it on from `kubectl logs`.
public struct PodLogOptions: Sendable, Equatable {
    /// Which of the container's output streams to return.
    public enum Stream: String, Sendable {
        case all = "All", stdout = "Stdout", stderr = "Stderr"
    }

    public var follow = false
    /// The previous instance of the container (the one that ran before its last restart).
    public var previous = false
    public var timestamps = false
    /// Output of the last this many seconds.
    public var sinceSeconds: Int64?
    /// Output since this instant.
    public var sinceTime: Date?
    /// Only the last this many lines.
    public var tailLines: Int64?
    /// Stop after this many bytes (the end may cut a line).
    public var limitBytes: Int64?
    public var stream: Stream = .all

    public init() {}

    /// Parses and validates the query.
    /// - Throws: ``LogRequestError`` 400 when a value does not parse, 422 when the options
    ///   contradict each other or are out of range (kubelet's answers), naming the field.
    public init(query: [String: [String]]) throws(LogRequestError) {
        func value(_ name: String) -> String? { query[name]?.last }
        func bool(_ name: String) throws(LogRequestError) -> Bool {
            guard let text = value(name) else { return false }
            // Go's strconv.ParseBool, which the query decoder uses; an empty value is false.
            switch text {
            case "", "0", "f", "F", "false", "FALSE", "False": return false
            case "1", "t", "T", "true", "TRUE", "True": return true
            default: throw .badQuery(name, text, "not a boolean")
            }
        }
        func integer(_ name: String) throws(LogRequestError) -> Int64? {
            guard let text = value(name) else { return nil }
            guard let number = Int64(text) else { throw .badQuery(name, text, "not an integer") }
            return number
        }

        follow = try bool("follow")
        previous = try bool("previous")
        timestamps = try bool("timestamps")
        sinceSeconds = try integer("sinceSeconds")
        tailLines = try integer("tailLines")
        limitBytes = try integer("limitBytes")
        if let text = value("sinceTime") {
            guard let time = KubeTime.parse(text) else { throw .badQuery("sinceTime", text, "not an RFC 3339 time") }
            sinceTime = time
        }
        if let text = value("stream") {
            guard let stream = Stream(rawValue: text) else {
                throw .invalid("stream", "Unsupported value: \"\(text)\": supported values: \"All\", \"Stderr\", \"Stdout\"")
            }
            self.stream = stream
        }
        // The legacy `tail=N|all` of old clients, when tailLines is absent.
        if tailLines == nil, let tail = value("tail"), tail != "all" {
            guard let lines = Int64(tail) else { throw .badQuery("tail", tail, "not an integer or \"all\"") }
            tailLines = lines
        }

        if sinceSeconds != nil && sinceTime != nil {
            throw .invalid("sinceSeconds", "at most one of sinceTime or sinceSeconds may be specified")
        }
        if let sinceSeconds, sinceSeconds < 1 { throw .invalid("sinceSeconds", "must be greater than 0") }
        if let tailLines, tailLines < 0 { throw .invalid("tailLines", "must be greater than or equal to 0") }
        if let limitBytes, limitBytes < 1 { throw .invalid("limitBytes", "must be greater than 0") }
        if stream != .all && tailLines != nil {
            throw .invalid("tailLines", "must not be set with stream \(stream.rawValue)")
        }
    }
}
