import Foundation
import IPv4
import Logging
import RouteNetlink
import Synchronization

/// Programs a backend into the kernel: `setUp()` once (the vxlan device), then `reconcile`
/// with the remote leases whenever they change and periodically. Thin: what to program comes
/// from `RoutingPlan`, `RoutingDiff` and `VXLANDevicePlan`; this only looks up and applies.
///
/// The netlink calls block for a few milliseconds at most; the service calls them from one task
/// at a time.
public final class BackendExecutor: Sendable {
    public let network: IPv4Network
    public let local: LocalLease
    public let kind: BackendKind
    private let underlayName: String?
    private let netlink: any RoutingNetlink
    private let logger: Logger

    private struct State {
        var setup: BackendSetup?
        var vxlanDevice: Int32?
        /// Ignored leases already logged, so each is logged once.
        var logged: Set<IgnoredLease> = []
    }

    // Mutex: set-up and reconcile may come from different tasks; the state is small.
    private let state = Mutex(State())

    /// - Parameters:
    ///   - network: the flannel network (`Network` of the config).
    ///   - local: our lease.
    ///   - underlay: the interface to use (`--iface`); nil takes the one holding the public IP.
    ///   - netlink: the kernel's routing tables (`Rtnetlink`), or a fake.
    public init(
        network: IPv4Network, local: LocalLease, kind: BackendKind, underlay: String? = nil, netlink: any RoutingNetlink,
        logger: Logger
    ) {
        self.network = network.network
        self.local = local
        self.kind = kind
        self.underlayName = underlay
        self.netlink = netlink
        self.logger = logger
    }

    /// Finds the underlay and, for vxlan, creates or adopts the device with its address.
    /// - Returns: the MTU and what our lease publishes.
    /// - Throws: `FlannelBackendError`.
    @discardableResult
    public func setUp() throws(FlannelBackendError) -> BackendSetup {
        let underlay = try findUnderlay()
        var setup = BackendSetup(backendType: kind.typeName, mtu: underlay.mtu, underlay: underlay)
        if case .vxlan(let settings) = kind {
            let device = try ensureDevice(settings, underlay: underlay)
            setup.mtu = device.mtu
            setup.vtepMAC = device.address
            setup.vni = settings.vni
            state.withLock { $0.vxlanDevice = device.index }
        }
        state.withLock { $0.setup = setup }
        return setup
    }

    /// Makes the kernel's routes (and vxlan entries) those of `remotes`: adds what is missing,
    /// replaces what differs, deletes what the backend made for leases that are gone.
    /// - Returns: the changes applied.
    /// - Throws: `FlannelBackendError`; what was applied before the failure stays.
    @discardableResult
    public func reconcile(_ remotes: [RemoteLease]) throws(FlannelBackendError) -> [RoutingChange] {
        var setup = state.withLock { $0.setup }
        if setup == nil { setup = try setUp() }
        let plan: RoutingPlan
        var device: Int32?
        switch kind {
        case .hostGateway:
            plan = RoutingPlan.hostGateway(local: local, remotes: remotes, reaching: routesReaching(remotes))
        case .vxlan(let settings):
            // The device may have been deleted or changed from outside since the last pass.
            let link = try ensureDevice(settings, underlay: setup!.underlay)
            device = link.index
            state.withLock { $0.vxlanDevice = link.index }
            plan = RoutingPlan.vxlan(local: local, remotes: remotes, deviceIndex: link.index)
        }
        logIgnored(plan.ignored)
        let changes = try step("list routes, neighbours and FDB entries") { () throws(RouteNetlinkError) in
            RoutingDiff.changes(
                plan: plan, network: network, vxlanDevice: device, routes: try netlink.routes(table: Route.mainTable),
                neighbours: try device.map { d throws(RouteNetlinkError) in try netlink.neighbours(linkIndex: d) } ?? [],
                fdbEntries: try device.map { d throws(RouteNetlinkError) in try netlink.fdbEntries(linkIndex: d) } ?? [])
        }
        guard !changes.isEmpty else { return [] }
        try step("program \(changes.count) routing change(s)") { () throws(RouteNetlinkError) in try netlink.apply(changes) }
        logger.debug("programmed routes for the remote leases", metadata: ["flannel.changes": "\(changes.count)"])
        return changes
    }

    // MARK: - Steps

    private func findUnderlay() throws(FlannelBackendError) -> Link {
        try Self.underlay(named: underlayName, holding: local.publicIP, netlink: netlink)
    }

    /// The underlay interface: the one named (`--iface`), else the one holding `publicIP`.
    /// Known before the lease, so the MTU of the pod network can go into the lease's request.
    /// - Throws: `FlannelBackendError` when neither is found.
    public static func underlay(
        named name: String?, holding publicIP: IPv4Address, netlink: any RoutingNetlink
    ) throws(FlannelBackendError) -> Link {
        if let name {
            let found: Link?
            do { found = try netlink.link(named: name) } catch { throw .netlink(step: "look up \(name)", error) }
            guard let link = found else { throw .interfaceNotFound(name) }
            return link
        }
        let addresses: [InterfaceAddress]
        do { addresses = try netlink.addresses() } catch { throw .netlink(step: "list addresses", error) }
        guard let holder = addresses.first(where: { $0.network.address == publicIP }) else { throw .noInterfaceHolds(publicIP) }
        let found: Link?
        do { found = try netlink.link(index: holder.linkIndex) } catch { throw .netlink(step: "look up link #\(holder.linkIndex)", error) }
        guard let link = found else { throw .noInterfaceHolds(publicIP) }
        return link
    }

    /// The route the kernel uses to each host-gw lease's public IP; unreachable ones are left
    /// out (the plan ignores their leases).
    private func routesReaching(_ remotes: [RemoteLease]) -> [IPv4Address: Route] {
        var routes: [IPv4Address: Route] = [:]
        for lease in remotes where lease.backendType == "host-gw" && routes[lease.publicIP] == nil {
            if let route = try? netlink.route(to: lease.publicIP) { routes[lease.publicIP] = route }
        }
        return routes
    }

    /// Creates or adopts `flannel.<VNI>`, up, MTU underlay - 50, with the lease's network
    /// address /32 as its only address.
    private func ensureDevice(_ settings: VXLANSettings, underlay: Link) throws(FlannelBackendError) -> Link {
        let name = settings.deviceName
        let attributes = VXLANAttributes(
            id: settings.vni, local: local.publicIP, underlayIndex: underlay.index, port: settings.effectivePort, learning: false)
        let mtu = (settings.underlayMTU ?? underlay.mtu) - VXLANSettings.encapsulationOverhead
        let existing = try step("look up \(name)") { () throws(RouteNetlinkError) in try netlink.link(named: name) }
        let stored = try settings.macStateFile.flatMap { path throws(FlannelBackendError) in try Self.readMAC(path) }
        var device: Link
        switch VXLANDevicePlan.decide(existing: existing, desired: attributes) {
        case .keep(let link):
            device = link
        case let decision:
            let mac = VXLANDevicePlan.mac(existing: existing, stored: stored, chosen: settings.vtepMAC)
            if case .recreate(let old) = decision {
                logger.notice(
                    "recreating the vxlan device: its settings differ from the lease's",
                    metadata: ["flannel.device": "\(name)", "flannel.found": "\(old.vxlan.map { "\($0)" } ?? old.kind ?? "no vxlan")"])
                try step("delete \(name)") { () throws(RouteNetlinkError) in try netlink.deleteLink(old) }
            }
            let spec = VXLANLinkSpec(name: name, attributes: attributes, mtu: mtu, address: mac)
            try step("create \(name)") { () throws(RouteNetlinkError) in try netlink.createVXLAN(spec) }
            guard let created = try step("look up \(name)", { () throws(RouteNetlinkError) in try netlink.link(named: name) }) else {
                throw .netlink(step: "look up \(name)", .malformedAnswer(operation: "look up the new \(name)"))
            }
            device = created
            logger.info("created the vxlan device", metadata: ["flannel.device": "\(name)", "flannel.vtepMAC": "\(mac)"])
        }
        if !device.isUp || device.mtu != mtu {
            try step("set \(name) up with MTU \(mtu)") { () throws(RouteNetlinkError) in
                try netlink.setUp(linkIndex: device.index, mtu: device.mtu != mtu ? mtu : nil)
            }
            device.isUp = true
            device.mtu = mtu
        }
        let wanted = IPv4Network(local.subnet.address, prefixLength: 32)!
        let addresses = try step("list the addresses of \(name)") { () throws(RouteNetlinkError) in try netlink.addresses(linkIndex: device.index) }
        for stale in addresses where stale != wanted {
            try step("delete \(stale) from \(name)") { () throws(RouteNetlinkError) in try netlink.deleteAddress(stale, linkIndex: device.index) }
        }
        if !addresses.contains(wanted) {
            try step("add \(wanted) to \(name)") { () throws(RouteNetlinkError) in try netlink.replaceAddress(wanted, linkIndex: device.index) }
        }
        if let path = settings.macStateFile, let mac = device.address, mac != stored { try Self.writeMAC(mac, to: path) }
        return device
    }

    private func logIgnored(_ ignored: [IgnoredLease]) {
        let fresh = state.withLock { state in ignored.filter { state.logged.insert($0).inserted } }
        for lease in fresh {
            logger.info("ignoring a lease", metadata: ["flannel.lease": "\(lease.subnet)", "flannel.reason": "\(lease.reason)"])
        }
    }

    private func step<T>(_ name: String, _ body: () throws(RouteNetlinkError) -> T) throws(FlannelBackendError) -> T {
        do {
            return try body()
        } catch {
            throw .netlink(step: name, error)
        }
    }

    /// The MAC the vxlan device has or will get, known before the lease is acquired: flannel
    /// asks for its lease with the VtepMAC in BackendData, and only then knows the subnet that
    /// `setUp()` needs. Stored in the settings' state file when there is one; without one, pass
    /// it back as `VXLANSettings.vtepMAC`.
    /// - Throws: `FlannelBackendError` when the device cannot be looked up or the file read or
    ///   written.
    public static func vtepMAC(for settings: VXLANSettings, netlink: any RoutingNetlink) throws(FlannelBackendError) -> MACAddress {
        let existing: Link?
        do {
            existing = try netlink.link(named: settings.deviceName)
        } catch {
            throw .netlink(step: "look up \(settings.deviceName)", error)
        }
        let stored = try settings.macStateFile.flatMap { path throws(FlannelBackendError) in try readMAC(path) }
        let mac = VXLANDevicePlan.mac(existing: existing, stored: stored, chosen: settings.vtepMAC)
        if let path = settings.macStateFile, mac != stored { try writeMAC(mac, to: path) }
        return mac
    }

    // MARK: - MAC state file

    static func readMAC(_ path: String) throws(FlannelBackendError) -> MACAddress? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .macStateFile(path: path, problem: "cannot be read")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let mac = MACAddress(text) else { throw .macStateFile(path: path, problem: "\"\(text)\" is not a MAC address") }
        return mac
    }

    static func writeMAC(_ mac: MACAddress, to path: String) throws(FlannelBackendError) {
        do {
            try Data("\(mac)\n".utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .macStateFile(path: path, problem: "cannot be written: \(error)")
        }
    }
}
