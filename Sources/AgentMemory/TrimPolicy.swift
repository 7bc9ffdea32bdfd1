/// When to give file pages back (see ``FilePages``): once after start-up, whose code and data
/// (argument parsing, configuration, TLS set-up, every library's initialisers) the running
/// agent does not touch again; then whenever the file pages grew by `growth` over the level
/// the agent settled at, as after a burst of pod starts. Right after a release the pages in
/// use come back within seconds; the next reading is the new level.
public struct TrimPolicy: Sendable, Equatable {
    /// Growth of resident file pages, in bytes, that calls for a release.
    public var growth: Int
    private var released = false
    private var settledLevel: Int?

    public init(growth: Int = 2 << 20) {
        self.growth = growth
    }

    /// Reads the resident file bytes of one round; true when this round should release.
    public mutating func shouldRelease(residentFileBytes: Int) -> Bool {
        guard released else {
            released = true
            return true
        }
        guard let level = settledLevel else {
            settledLevel = residentFileBytes
            return false
        }
        if residentFileBytes >= level + growth {
            settledLevel = nil
            return true
        }
        // The kernel may reclaim pages too: the lower level is the one to grow from.
        settledLevel = min(level, residentFileBytes)
        return false
    }
}
