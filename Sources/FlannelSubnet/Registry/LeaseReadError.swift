/// A key under `<prefix>/subnets/` that is not a readable lease.
struct LeaseReadError: Error, CustomStringConvertible {
    var key: String
    var reason: String
    var description: String { "\(key): \(reason)" }
}
