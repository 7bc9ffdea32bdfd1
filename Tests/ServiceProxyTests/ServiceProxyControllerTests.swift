import Foundation
import KubeAPI
import Logging
import Synchronization
import IPv4
import Testing

@testable import ServiceProxy

/// Records transactions from any thread (the controller applies them on a queue of its own);
/// fails while told to.
final class SharedRecordingWriter: RulesetWriter {
    private let state = Mutex<(applied: [Transaction], failures: Int)>(([], 0))

    var applied: [Transaction] { state.withLock { $0.applied } }

    /// The next `count` transactions fail.
    func fail(next count: Int) { state.withLock { $0.failures = count } }

    /// Records the batch's transaction on `clc-proxy` (the services here fit one table).
    func apply(_ transactions: [Transaction]) throws(NetfilterError) {
        let fails = state.withLock { state -> Bool in
            guard state.failures > 0 else {
                state.applied += transactions.filter { $0.table == ProxyNames.table }
                return false
            }
            state.failures -= 1
            return true
        }
        if fails { throw .commitFailed(errno: 16) }
    }
}

/// The controller's sync reports, from whichever thread.
final class ReportLog: Sendable {
    private let reports = Mutex<[ServiceProxyController.SyncReport]>([])

    func append(_ report: ServiceProxyController.SyncReport) { reports.withLock { $0.append(report) } }
    var all: [ServiceProxyController.SyncReport] { reports.withLock { $0 } }
}

@Suite("the service proxy controller")
struct ServiceProxyControllerTests {
    static let frontendService = Service(
        metadata: ObjectMeta(name: "frontend", namespace: "default"),
        spec: ServiceSpec(
            type: "NodePort", clusterIP: "10.254.0.30", ports: [ServicePort(port: 80, nodePort: 30001)],
            selector: ["name": "frontend"]))

    static func frontendEndpoints(_ ips: [String]) -> Endpoints {
        Endpoints(
            metadata: ObjectMeta(name: "frontend", namespace: "default"),
            subsets: [EndpointSubset(addresses: ips.map { EndpointAddress(ip: $0) }, ports: [EndpointPort(port: 80)])])
    }

    static func readyFrontendPod(ip: String) -> Pod {
        Pod(
            metadata: ObjectMeta(name: "frontend-\(ip.split(separator: ".").last!)", namespace: "default", labels: ["name": "frontend"]),
            spec: PodSpec(containers: [Container(name: "php-redis")]),
            status: PodStatus(conditions: [PodCondition(type: "Ready", status: "True")], podIP: ip))
    }

    /// A controller on a recording writer, started; the caller cancels the task at the end.
    static func running(
        endpointsFromMaster: Bool
    ) -> (ServiceProxyController, SharedRecordingWriter, ReportLog, Task<Void, any Error>) {
        let (writer, reports) = (SharedRecordingWriter(), ReportLog())
        let controller = controller(writer: writer, endpointsFromMaster: endpointsFromMaster, reports: reports)
        return (controller, writer, reports, Task { try await controller.run() })
    }

    /// Waits up to 20 s (a loaded CI machine) for `condition`.
    static func waitFor(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<2000 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    static func controller(
        writer: SharedRecordingWriter, endpointsFromMaster: Bool, reports: ReportLog? = nil
    ) -> ServiceProxyController {
        ServiceProxyController(
            configuration: .init(
                node: Fixtures.node, endpointsFromMaster: endpointsFromMaster, retryInitial: .milliseconds(20)),
            writer: writer, conntrack: nil, logger: Logger(label: "test")
        ) { report in reports?.append(report) }
    }

    @Test("with a master, nothing is programmed until both services and endpoints have arrived")
    func waitsForCompleteInputs() async throws {
        let (controller, writer, _, task) = Self.running(endpointsFromMaster: true)
        defer { task.cancel() }
        await controller.update(services: [Self.frontendService])
        #expect(await controller.owedSyncFor() == nil, "services without their endpoints owe no sync")
        await controller.update(endpoints: [Self.frontendEndpoints(["10.244.1.7"])])
        #expect(await Self.waitFor { writer.applied.count == 1 })
        let first = try #require(writer.applied.first)
        #expect(first.operations.prefix(3) == [.addTable, .deleteTable, .addTable], "the first sync is full")
        // The table of an earlier run must keep serving until the endpoints are listed: a sync
        // before them would have been this first one, rejecting the service's connections.
        #expect(first.sendsBackend("10.244.1.7", 80))
        #expect(!first.operations.contains { $0.description == "add 1 element(s) to no-endpoint-services" })
    }

    @Test("an endpoint added later is a partial sync that DNATs to it")
    func endpointAddedIsPartial() async throws {
        let (controller, writer, reports, task) = Self.running(endpointsFromMaster: true)
        defer { task.cancel() }
        await controller.update(services: [Self.frontendService])
        await controller.update(endpoints: [Self.frontendEndpoints(["10.244.1.7"])])
        #expect(await Self.waitFor { writer.applied.count == 1 })
        await controller.update(endpoints: [Self.frontendEndpoints(["10.244.1.7", "10.244.1.8"])])
        // The report follows the write: wait for both.
        #expect(await Self.waitFor { writer.applied.count == 2 && reports.all.contains { $0.kind == .partial } })
        let partial = try #require(writer.applied.last)
        #expect(!partial.operations.contains(.deleteTable))
        #expect(partial.sendsBackend("10.244.1.8", 80))
        #expect(reports.all.map(\.kind).filter { $0 != .unchanged } == [.full, .partial])
    }

    @Test("without a master, nothing is programmed until this node's pods were reported, then endpoints come from the ready ones")
    func manifestModeUsesLocalPods() async throws {
        let (controller, writer, _, task) = Self.running(endpointsFromMaster: false)
        defer { task.cancel() }
        await controller.update(services: [Self.frontendService])
        #expect(await controller.owedSyncFor() == nil, "services before this node's pods owe no sync")
        await controller.update(localPods: [Self.readyFrontendPod(ip: "10.244.1.9")])
        #expect(await Self.waitFor { writer.applied.count == 1 })
        // After a restart, running pods are not known yet: a sync before their report would
        // have been this first one, rejecting the service's connections.
        #expect(writer.applied[0].sendsBackend("10.244.1.9", 80))
        #expect(!writer.applied[0].operations.contains { $0.description == "add 1 element(s) to no-endpoint-services" })
        await controller.update(localPods: [])
        #expect(await Self.waitFor { writer.applied.count == 2 })
        #expect(writer.applied[1].operations.contains { $0.description == "add 1 element(s) to no-endpoint-services" })
    }

    @Test("a failed sync is reported, retried, and the retry is full")
    func failedSyncIsRetriedInFull() async throws {
        let (controller, writer, reports, task) = Self.running(endpointsFromMaster: true)
        defer { task.cancel() }
        await controller.update(services: [Self.frontendService])
        await controller.update(endpoints: [Self.frontendEndpoints(["10.244.1.7"])])
        #expect(await Self.waitFor { writer.applied.count == 1 })
        writer.fail(next: 2)
        await controller.update(endpoints: [Self.frontendEndpoints(["10.244.1.8"])])
        #expect(await Self.waitFor { writer.applied.count == 2 })
        #expect(writer.applied[1].operations.prefix(3) == [.addTable, .deleteTable, .addTable])
        #expect(writer.applied[1].sendsBackend("10.244.1.8", 80))
        #expect(reports.all.filter { $0.error != nil }.count == 2)
    }

    @Test("a watch delta naming one Endpoints object among 500 services is a partial sync of that service alone")
    func deltaSyncsItsServiceAlone() async throws {
        let (controller, writer, reports, task) = Self.running(endpointsFromMaster: true)
        defer { task.cancel() }
        let services = (0..<500).map { index in
            Service(
                metadata: ObjectMeta(name: "web-\(index)", namespace: "default"),
                spec: ServiceSpec(clusterIP: "10.254.\(index / 200).\(index % 200 + 1)", ports: [ServicePort(port: 80)]))
        }
        var endpoints = (0..<500).map { index in
            Endpoints(
                metadata: ObjectMeta(name: "web-\(index)", namespace: "default"),
                subsets: [EndpointSubset(addresses: [EndpointAddress(ip: "10.244.\(index / 200).\(index % 200 + 1)")], ports: [EndpointPort(port: 80)])])
        }
        await controller.update(services: services)
        await controller.update(endpoints: endpoints)
        #expect(await Self.waitFor { writer.applied.count == 1 })
        endpoints[321].subsets![0].addresses!.append(EndpointAddress(ip: "10.244.9.9"))
        await controller.update(endpoints: endpoints, delta: ObjectDelta(updated: [endpoints[321]]))
        #expect(await Self.waitFor { writer.applied.count == 2 && reports.all.contains { $0.kind == .partial } })
        let partial = try #require(writer.applied.last)
        #expect(partial.sendsBackend("10.244.9.9", 80))
        // Every element sent is keyed by web-321's cluster IP: no other service is touched.
        let keys = partial.operations.flatMap { operation -> [SetKey] in
            switch operation {
            case .addElements(_, let elements): Array(elements.keys)
            case .deleteElements(_, let keys): keys
            default: []
            }
        }
        #expect(!keys.isEmpty && keys.allSatisfy { $0.values.first == .address(IPv4Address(10, 254, 1, 122)) }, "\(partial)")
        #expect(reports.all.last?.services == 500)
    }
}

