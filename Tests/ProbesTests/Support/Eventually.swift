import Testing

/// Waits for work on other tasks (probe workers) by yielding until `condition` holds. The wall
/// clock only bounds the wait so that a broken test fails instead of hanging; it never decides
/// an outcome.
@discardableResult
func eventually(
    _ what: @autoclosure () -> String, limit: Duration = .seconds(10),
    sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async -> Bool
) async -> Bool {
    let deadline = ContinuousClock.now + limit
    var rounds = 0
    while true {
        if await condition() { return true }
        rounds += 1
        // Check the bound only now and then: reading the clock costs more than a yield.
        if rounds % 256 == 0, ContinuousClock.now >= deadline {
            Issue.record("gave up waiting until \(what())", sourceLocation: sourceLocation)
            return false
        }
        await Task.yield()
    }
}
