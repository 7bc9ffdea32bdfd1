import RouteNetlink

@testable import FlannelBackend
import IPv4

enum Fixtures {
    static let network = IPv4Network("10.1.0.0/16")!
    static let local = LocalLease(subnet: IPv4Network("10.1.15.0/24")!, publicIP: IPv4Address("192.168.50.1")!)

    static func hostGW(_ third: UInt8, publicIP: String) -> RemoteLease {
        RemoteLease(subnet: IPv4Network(IPv4Address(10, 1, third, 0), prefixLength: 24)!, publicIP: IPv4Address(publicIP)!, backendType: "host-gw")
    }

    static func vxlan(_ third: UInt8, publicIP: String, mac: String?) -> RemoteLease {
        RemoteLease(
            subnet: IPv4Network(IPv4Address(10, 1, third, 0), prefixLength: 24)!, publicIP: IPv4Address(publicIP)!, backendType: "vxlan",
            vtepMAC: mac)
    }

    static func route(_ destination: String, via gateway: String, dev: Int32, onLink: Bool = false, proto: UInt8 = Route.clcNodeProtocol) -> Route {
        Route(destination: IPv4Network(destination)!, gateway: IPv4Address(gateway)!, linkIndex: dev, onLink: onLink, protocolNumber: proto)
    }
}
