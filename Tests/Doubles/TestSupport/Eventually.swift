import Foundation

/// Polls `condition` until it holds or `timeout` passes.
/// - Returns: how long it took.
/// - Throws: ``EventuallyError`` naming `what` when time runs out.
@discardableResult
public func eventually(
    _ what: String, timeout: Duration = .seconds(30), poll: Duration = .milliseconds(200),
    _ condition: () async throws -> Bool
) async throws -> Duration {
    let clock = ContinuousClock()
    let start = clock.now
    var lastError: (any Error)?
    while clock.now - start < timeout {
        do {
            if try await condition() { return clock.now - start }
        } catch {
            lastError = error
        }
        try await Task.sleep(for: poll)
    }
    throw EventuallyError(what: what, timeout: timeout, lastError: lastError.map { "\($0)" })
}

public struct EventuallyError: Error, CustomStringConvertible {
    public var what: String
    public var timeout: Duration
    public var lastError: String?
    public var description: String {
        "timed out after \(timeout) waiting for \(what)" + (lastError.map { " (last error: \($0))" } ?? "")
    }
}
