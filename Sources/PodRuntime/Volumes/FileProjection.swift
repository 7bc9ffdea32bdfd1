/// One file of a volume's payload: its bytes and exact mode.
public struct FileProjection: Sendable, Hashable {
    public var data: [UInt8]
    public var mode: Int32

    public init(data: [UInt8], mode: Int32) {
        self.data = data
        self.mode = mode
    }

    public init(_ text: String, mode: Int32) {
        self.init(data: Array(text.utf8), mode: mode)
    }
}
