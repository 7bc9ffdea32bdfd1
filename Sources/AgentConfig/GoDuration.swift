/// Go's duration text (`time.ParseDuration`), as kubelet's flags and KubeletConfiguration
/// write durations: `20s`, `1m0s`, `1h30m`, `500ms`.
public enum GoDuration {
    /// - Returns: seconds, or nil when `text` is not a Go duration.
    public static func seconds(_ text: String) -> Double? {
        var rest = Substring(text)
        var sign = 1.0
        if rest.hasPrefix("-") || rest.hasPrefix("+") {
            if rest.hasPrefix("-") { sign = -1 }
            rest = rest.dropFirst()
        }
        if rest == "0" { return 0 }
        guard !rest.isEmpty else { return nil }
        let units: [(String, Double)] = [
            ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("μs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600),
        ]
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            // The longest unit first: "ms" before "m", "µs" before "s".
            guard let (unit, scale) = units.sorted(by: { $0.0.count > $1.0.count }).first(where: { rest.hasPrefix($0.0) }) else {
                return nil
            }
            rest = rest.dropFirst(unit.count)
            total += value * scale
        }
        return sign * total
    }

    /// Whole seconds for the agent's second-based flags: a fraction rounds up, so that 500ms
    /// is 1, never 0.
    public static func wholeSeconds(_ text: String) -> Int? {
        guard let seconds = seconds(text), seconds >= 0 else { return nil }
        return Int(seconds.rounded(.up))
    }
}
