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

    /// The MAC the device has or gets: the existing device's (kept across agent restarts, and
    /// across a recreation), else the stored one (kept across reboots), else the one chosen
    /// before the lease was acquired, else a new random one. Remote nodes' FDB entries name it,
    /// so it changes only when nothing remembers it.
    public static func mac(existing: Link?, stored: MACAddress?, chosen: MACAddress?) -> MACAddress {
        existing?.address ?? stored ?? chosen ?? .randomLocal()
    }
}
