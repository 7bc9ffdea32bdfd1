import AgentTime
import Testing

@Suite("The retry back-off")
struct RetryBackOffTests {
    @Test("it doubles from the initial wait up to the maximum, and starts over after a reset")
    func doubles() {
        var backOff = RetryBackOff(initial: .milliseconds(500), maximum: .seconds(3))
        #expect([backOff.next(), backOff.next(), backOff.next(), backOff.next(), backOff.next()] == [
            .milliseconds(500), .seconds(1), .seconds(2), .seconds(3), .seconds(3),
        ])
        backOff.reset()
        #expect(backOff.next() == .milliseconds(500))
    }

    @Test("each wait is jittered within its range; the doubling is not")
    func jitter() {
        var backOff = RetryBackOff(initial: .seconds(1), maximum: .seconds(30), jitter: 0.8...1.2)
        for expected in [1.0, 2.0, 4.0, 8.0] {
            let wait = backOff.next()
            #expect(wait >= .seconds(expected * 0.8) && wait <= .seconds(expected * 1.2))
        }
        #expect(backOff.current == .seconds(16))
    }
}
