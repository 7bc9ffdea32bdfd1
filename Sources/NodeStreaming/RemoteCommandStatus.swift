/// How an exec or attach ended, and its rendering on the error channel
/// (cri/streaming/remotecommand/exec.go, httpstream.go v1/v4 WriteStatusFunc).
public enum RemoteCommandOutcome: Sendable, Hashable {
    case success
    /// The process exited with a non-zero code.
    case exitCode(Int)
    /// Anything else; the text says what (kubelet wraps it as an internal error).
    case failure(String)

    /// The v4 `Status` object, as kubelet serialises it (field order of metav1.Status).
    public var statusJSON: String {
        switch self {
        case .success:
            return #"{"metadata":{},"status":"Success"}"#
        case .exitCode(let code):
            // Docker's exit error reads "Error executing in Docker Container: <code>" (dockershim).
            let message = "command terminated with non-zero exit code: Error executing in Docker Container: \(code)"
            return #"{"metadata":{},"status":"Failure","message":"# + Self.quoted(message)
                + #","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":""# + "\(code)" + #""}]}}"#
        case .failure(let text):
            return #"{"metadata":{},"status":"Failure","message":"# + Self.quoted("Internal error occurred: \(text)")
                + #","reason":"InternalError","details":{"causes":[{"message":"# + Self.quoted(text) + #"}]},"code":500}"#
        }
    }

    /// Protocols before v4 write only an error's text, and nothing on success.
    public var legacyText: String? {
        switch self {
        case .success: nil
        case .exitCode(let code): "command terminated with non-zero exit code: Error executing in Docker Container: \(code)"
        case .failure(let text): "Internal error occurred: \(text)"
        }
    }

    /// The bytes the error channel carries under `version`; nil for nothing.
    public func errorChannelBytes(_ version: StreamProtocolVersion) -> [UInt8]? {
        if version.writesStatusJSON { return Array(statusJSON.utf8) }
        return legacyText.map { Array($0.utf8) }
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
