/// The kernel's connection tracking table, as far as the proxy changes it: deleting stale
/// flows. The real one is `NetlinkConntrackTable`; tests of the code that decides what to
/// delete use a fake.
public protocol ConntrackTable: Sendable {
    /// Deletes every entry that matches at least one of `filters`.
    /// - Parameter filters: from `StaleConntrack.filters(from:to:)`; an empty list deletes nothing.
    /// - Returns: how many entries were deleted. An entry that disappears on its own before its
    ///   deletion (it timed out) is not counted and is no error.
    /// - Throws: `NetfilterError`, naming the entry or operation that failed.
    func delete(matching filters: [ConntrackFilter]) throws(NetfilterError) -> Int
}
