/// How much of a response body a plain request (``HTTPTransport/send(_:)``) reads into memory,
/// and what happens past it. Streams are not collected and have no body limit; their lines are
/// bounded by ``LineSplitter``.
public struct BodyLimit: Sendable, Hashable, CustomStringConvertible {
    /// What a transfer does with the bytes past ``bytes``.
    public enum Overflow: Sendable, Hashable {
        /// Abort the transfer and fail with ``HTTPError/bodyTooLarge(request:limit:)``.
        case fail
        /// Abort the transfer and answer with the first ``BodyLimit/bytes`` bytes as if the
        /// body ended there.
        case truncate
        /// Keep reading to the end but keep only the first ``BodyLimit/bytes`` bytes (a peer
        /// that must be drained to finish, as an exec whose output is capped).
        case discard
    }

    public var bytes: Int
    public var overflow: Overflow

    public init(bytes: Int, overflow: Overflow = .fail) {
        self.bytes = max(0, bytes)
        self.overflow = overflow
    }

    /// 64 MiB: far above any answer the agent expects (a node's pod list, a Docker container
    /// list, an image pull's progress), low enough that a broken or hostile peer cannot make the
    /// agent buffer gigabytes. Masters of large clusters may need more (`MasterClient`'s
    /// `maxResponseBytes`).
    public static let defaultBytes = 64 << 20

    /// Fails past ``defaultBytes``.
    public static let `default` = BodyLimit(bytes: defaultBytes)

    /// The decision for a chunk that arrives when `held` bytes are kept: how many of its bytes to
    /// keep, and whether the transfer goes on.
    /// - Returns: `keep` bytes of the chunk to append; `proceed` false aborts the transfer;
    ///   `exceeded` true when some bytes were dropped.
    public func admit(chunk: Int, held: Int) -> (keep: Int, proceed: Bool, exceeded: Bool) {
        let room = max(0, bytes - held)
        guard chunk > room else { return (chunk, true, false) }
        return (room, overflow == .discard, true)
    }

    public var description: String {
        switch overflow {
        case .fail: "at most \(bytes) bytes"
        case .truncate: "the first \(bytes) bytes"
        case .discard: "the first \(bytes) bytes, the rest drained"
        }
    }
}
