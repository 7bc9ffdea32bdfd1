import Testing

@testable import PodRuntime

/// The allocator counts a range's free addresses from the taken ones instead of walking the
/// range (the fuzz target `manifest` spent a third of its time walking a /16 on every scan).
@Suite("Counting a service range's free addresses")
struct ClusterIPAllocatorCountTests {
    @Test("only taken addresses inside the range's hosts count: not the network, the master's, the broadcast or another range's")
    func takenInsideOnly() throws {
        // A /29: hosts .2 to .6 can be handed out, five addresses.
        let allocator = try ClusterIPAllocator(cidr: "10.254.0.0/29")
        let requested: [(key: String, requested: String?)] = [
            ("default/inside", "10.254.0.3"), ("default/master", "10.254.0.1"), ("default/broadcast", "10.254.0.7"),
            ("default/elsewhere", "10.9.9.9"),
        ]
        let wanting = (1...6).map { (key: "default/svc-\($0)", requested: String?.none) }
        let (addresses, errors) = allocator.assign(requested + wanting)
        // .3 is taken: four of the six get an address, two an error.
        #expect(wanting.filter { addresses[$0.key] != nil }.count == 4)
        #expect(errors.count == 2)
        #expect(Set(wanting.compactMap { addresses[$0.key] }) == ["10.254.0.2", "10.254.0.4", "10.254.0.5", "10.254.0.6"])
    }

    @Test("a /8 range assigns a thousand services")
    func largeRange() throws {
        let allocator = try ClusterIPAllocator(cidr: "10.0.0.0/8")
        let (addresses, errors) = allocator.assign((1...1000).map { (key: "default/svc-\($0)", requested: String?.none) })
        #expect(Set(addresses.values).count == 1000)
        #expect(errors.isEmpty)
    }
}
