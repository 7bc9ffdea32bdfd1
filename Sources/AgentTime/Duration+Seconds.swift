import Foundation

extension Duration {
    /// The duration in seconds as a floating-point interval, attoseconds folded in: for Date
    /// arithmetic and rates.
    public var seconds: TimeInterval {
        let (whole, fraction) = components
        return TimeInterval(whole) + TimeInterval(fraction) / 1e18
    }
}
