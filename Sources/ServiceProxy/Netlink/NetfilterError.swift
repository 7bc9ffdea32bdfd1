#if canImport(Glibc)
import Glibc
#endif

/// Why programming nftables or changing the conntrack table failed, naming the object at fault.
public enum NetfilterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A C call on the way failed (`operation` names it and what it was for).
    case system(operation: String, errno: Int32)
    /// libnftnl could not allocate an object.
    case allocation(object: String)
    /// The kernel refused the transaction; nothing of it was applied. `object` is the first
    /// operation the kernel failed, `message` its extended-ack text when it sent one,
    /// `otherFailures` how many later operations failed too (often as a consequence).
    case rejected(object: String, errno: Int32, message: String?, otherFailures: Int)
    /// The kernel accepted every operation but could not commit; nothing was applied.
    case commitFailed(errno: Int32)
    /// Fewer answers arrived than operations were sent.
    case missingAcks(expected: Int, received: Int)
    /// The kernel refused to list the IPv4 conntrack table or broke the listing off.
    case conntrackDumpFailed(errno: Int32)
    /// The kernel refused to delete conntrack entries. `entry` is the first refused one (as
    /// `conntrack -L` shows it), `otherFailures` how many more were refused, `deleted` how many
    /// were deleted all the same. An entry already gone is no failure.
    case conntrackDeleteFailed(entry: String, errno: Int32, otherFailures: Int, deleted: Int)
    /// `RulesetSync.sync(changes:node:with:)` was given changes that need the whole state (a
    /// port another service holds, another number of tables, new node settings); nothing was
    /// sent to the kernel.
    case incrementalRefused(services: Int)

    public var description: String {
        switch self {
        case let .system(operation, code): "\(operation): \(Self.text(code))"
        case let .allocation(object): "cannot allocate \(object)"
        case let .rejected(object, code, message, others):
            "nftables refused \(object): \(Self.text(code))" + (message.map { " (\($0))" } ?? "")
                + (others > 0 ? "; \(others) later operation(s) failed too" : "") + "; nothing was applied"
        case let .commitFailed(code): "nftables could not commit the transaction: \(Self.text(code)); nothing was applied"
        case let .missingAcks(expected, received): "netlink: \(received) of \(expected) acknowledgements arrived"
        case let .conntrackDumpFailed(code): "listing the IPv4 conntrack table failed: \(Self.text(code))"
        case let .conntrackDeleteFailed(entry, code, others, deleted):
            "conntrack refused to delete \(entry): \(Self.text(code))"
                + (others > 0 ? "; \(others) more deletion(s) failed too" : "") + "; \(deleted) entries were deleted"
        case let .incrementalRefused(services):
            "the changes of \(services) service(s) need a sync of every service (a port held by another, a new number of tables or new node settings); nothing was applied"
        }
    }

    static func text(_ code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }
}

/// Turns a C return code into a typed error: -1 (or any negative) means failure, `errno` why.
@discardableResult
func check<T: BinaryInteger>(_ operation: @autoclosure () -> String, _ result: T) throws(NetfilterError) -> T {
    if result < 0 { throw .system(operation: operation(), errno: errno) }
    return result
}
