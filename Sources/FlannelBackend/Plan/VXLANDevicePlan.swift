import RouteNetlink

/// What to do with the vxlan device: flannel keeps an existing `flannel.<VNI>` whose VNI,
/// underlay, local address, port and learning match, and recreates any other.
public enum VXLANDevicePlan: Sendable, Hashable {
    case keep(Link)
    case create
    /// Delete the device, then create it (with the same MAC).
    case recreate(Link)

    public static func decide(existing: Link?, desired: VXLANAttributes) -> VXLANDevicePlan {
        guard let existing else { return .create }
        guard existing.kind == "vxlan", let attributes = existing.vxlan, attributes == desired else { return .recreate(existing) }
        return .keep(existing)
    }

    /// The MAC the device gets: the stored one, else the existing device's, else a new random
    /// one, so that remote nodes' FDB entries stay valid across restarts.
    public static func mac(stored: MACAddress?, existing: Link?) -> MACAddress {
        stored ?? existing?.address ?? .randomLocal()
    }
}
