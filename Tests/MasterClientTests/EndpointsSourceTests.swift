import Foundation
import KubeAPI
import Logging
import MasterClient
import MasterDouble
import Testing

@Suite("Where the service proxy reads endpoints from")
struct EndpointsSourceTests {
    @Test("a master serving discovery.k8s.io/v1 gives EndpointSlices; one without it (the seed's) v1 Endpoints")
    func discovery() async throws {
        let master = try MasterDouble()
        try master.start()
        defer { master.stop() }
        let client = MasterClient(endpoint: .init(baseURL: master.url), configuration: .init(retries: 0), logger: Logger(label: "test"))
        #expect(try await client.endpointsSource() == .endpointSlices)
        master.servesEndpointSlices = false
        #expect(try await client.endpointsSource() == .endpoints)
    }

    @Test("a master that does not answer gives no decision but an error, to be asked again")
    func noAnswer() async throws {
        let master = try MasterDouble()
        try master.start()
        defer { master.stop() }
        master.setUnavailable(true)
        let client = MasterClient(endpoint: .init(baseURL: master.url), configuration: .init(retries: 0), logger: Logger(label: "test"))
        await #expect(throws: MasterError.self) { try await client.endpointsSource() }
    }

    @Test("a reflector delivers the double's slices, decoded")
    func reflectSlices() async throws {
        let master = try MasterDouble()
        try master.start()
        defer { master.stop() }
        _ = try master.apply(Data(#"{"kind":"Service","apiVersion":"v1","metadata":{"name":"web"},"spec":{"ports":[{"port":80}],"selector":{"app":"web"}}}"#.utf8))
        let client = MasterClient(endpoint: .init(baseURL: master.url), logger: Logger(label: "test"))
        let delivered = DeliveredNames()
        let reflector = Reflector<EndpointSlice>(client: client, path: EndpointsSource.endpointSlices.path, logger: Logger(label: "test")) {
            slices in delivered.set(slices.compactMap(\.serviceName))
        }
        let task = Task { await reflector.run() }
        defer { task.cancel() }
        // Generous: a loaded machine runs the suites of this target in parallel.
        let deadline = ContinuousClock.now + .seconds(30)
        while delivered.names != ["web"], ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(delivered.names == ["web"])
    }
}
