import KubeAPI
import Testing

@testable import ServiceProxy

/// The change as the unit of work must end where the whole lists end: random sequences of watch
/// deltas, applied as the controller applies them, against one computation from scratch.
@Suite("watch deltas against the whole lists")
struct DeltaSequenceTests {
    /// SplitMix64: the same sequence in every run, so that a failure can be replayed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func service(_ index: Int, using random: inout Generator) -> Service {
        // Few NodePorts for many services: some changes claim a port another holds.
        let nodePort: Int32? = Bool.random(using: &random) ? Int32(30001 + Int.random(in: 0..<6, using: &random)) : nil
        let ports = (0..<Int.random(in: 1...2, using: &random)).map { port in
            ServicePort(
                name: "p\(port)", protocol: Bool.random(using: &random) ? "TCP" : "UDP", port: Int32(80 + port),
                nodePort: port == 0 ? nodePort : nil)
        }
        return Service(
            metadata: ObjectMeta(name: "s\(index)", namespace: "default"),
            spec: ServiceSpec(
                type: nodePort == nil ? "ClusterIP" : "NodePort",
                clusterIP: "10.254.0.\(index + 1 + 100 * Int.random(in: 0...1, using: &random))", ports: ports))
    }

    static func endpoints(_ index: Int, using random: inout Generator) -> Endpoints {
        let addresses = (0..<Int.random(in: 0...3, using: &random)).map { _ in
            EndpointAddress(ip: "10.244.\(Int.random(in: 1...3, using: &random)).\(Int.random(in: 1...9, using: &random))")
        }
        return Endpoints(
            metadata: ObjectMeta(name: "s\(index)", namespace: "default"),
            subsets: [EndpointSubset(
                addresses: addresses, ports: [EndpointPort(name: "p0", port: 8080, protocol: "TCP"), EndpointPort(name: "p1", port: 8081, protocol: "UDP")])])
    }

    @Test("after every batch of deltas the tables and the inputs are what the whole lists give", arguments: [1, 2, 3, 4])
    func randomSequences(seed: UInt64) throws {
        var random = Generator(state: seed)
        let writer = RecordingWriter()
        var inputs = ProxyInputs(source: .master, node: Fixtures.node)
        var sync = RulesetSync()
        var services: [String: Service] = [:]
        var endpoints: [String: Endpoints] = [:]
        _ = inputs.update(services: [], delta: nil)
        inputs.update(endpoints: [], delta: nil)
        var partial = 0
        for _ in 0..<120 {
            var serviceDelta = ObjectDelta<Service>()
            var endpointsDelta = ObjectDelta<Endpoints>()
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<12, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0:
                    let service = Self.service(index, using: &random)
                    services["s\(index)"] = service
                    serviceDelta.updated.removeAll { $0.metadata.name == "s\(index)" }
                    serviceDelta.deleted.removeAll { $0.metadata.name == "s\(index)" }
                    serviceDelta.updated.append(service)
                case 1:
                    guard let gone = services.removeValue(forKey: "s\(index)") else { continue }
                    serviceDelta.updated.removeAll { $0.metadata.name == "s\(index)" }
                    serviceDelta.deleted.append(gone)
                case 2:
                    let object = Self.endpoints(index, using: &random)
                    endpoints["s\(index)"] = object
                    endpointsDelta.updated.removeAll { $0.metadata.name == "s\(index)" }
                    endpointsDelta.deleted.removeAll { $0.metadata.name == "s\(index)" }
                    endpointsDelta.updated.append(object)
                default:
                    guard let gone = endpoints.removeValue(forKey: "s\(index)") else { continue }
                    endpointsDelta.updated.removeAll { $0.metadata.name == "s\(index)" }
                    endpointsDelta.deleted.append(gone)
                }
            }
            _ = inputs.update(services: Array(services.values), delta: serviceDelta)
            inputs.update(endpoints: Array(endpoints.values), delta: endpointsDelta)
            // As the controller syncs: the changes alone when the tables allow it, else all.
            let changes = inputs.takeChanges().mapValues(\.new)
            if sync.hasApplied, sync.accepts(changes: changes, node: Fixtures.node) {
                try sync.sync(changes: changes, node: Fixtures.node, with: writer)
                partial += 1
            } else {
                try sync.sync(to: inputs.state, with: writer)
            }
            let whole = ServiceProxyState(services: Array(services.values), endpoints: Array(endpoints.values), node: Fixtures.node)
            #expect(Set(inputs.state.services) == Set(whole.services))
            var fresh = RulesetSync()
            try fresh.sync(to: whole, with: RecordingWriter())
            #expect(sync.appliedRuleset == fresh.appliedRuleset)
        }
        #expect(partial > 60, "most batches went by their changes alone (\(partial) of 120)")
    }
}
