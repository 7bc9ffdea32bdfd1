/// Why a volume's files cannot be produced; the message is kubelet's `MountVolume.SetUp failed`
/// text, naming the volume and the object.
public struct VolumeSetUpError: Error, Sendable, Hashable, CustomStringConvertible {
    public var volume: String
    public var detail: String

    public init(volume: String, detail: String) {
        self.volume = volume
        self.detail = detail
    }

    public var description: String { "MountVolume.SetUp failed for volume \"\(volume)\" : \(detail)" }
}
