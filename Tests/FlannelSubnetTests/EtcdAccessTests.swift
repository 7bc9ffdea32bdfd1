@testable import FlannelSubnet
import Foundation
import Testing

/// How the registries reach etcd: several endpoints, and credentials under each API.
@Suite("etcd endpoints and authentication")
struct EtcdAccessTests {
    @Test("a dead first endpoint is skipped for the next one, under both APIs", arguments: EtcdAPI.allCases)
    func endpointsInTurn(api: EtcdAPI) async throws {
        var etcd = try EtcdFixture.configuration(api: api == .v2 ? .v2 : .v3)
        etcd.endpoints = ["http://127.0.0.1:1", try EtcdFixture.endpoint()]
        try await RawEtcd().put(api, etcd.configKey, Fixtures.hostGWConfig)
        let registry = EtcdFixture.registry(api, etcd)
        #expect(try await registry.networkConfig() == Array(Fixtures.hostGWConfig.utf8))
        let config = try NetworkConfig.parse(try #require(await registry.networkConfig()))
        let lease = try await LeaseAcquirer(registry: registry, logger: Fixtures.logger).acquire(
            config: config, attributes: LeaseAttributes(publicIP: Fixtures.ip("192.168.90.1"), backendType: "host-gw"), previous: nil)
        #expect(config.admits(lease.subnet))
    }

    @Test("all endpoints dead names each one")
    func allDead() async throws {
        let etcd = EtcdConfiguration(endpoints: ["http://127.0.0.1:1", "http://127.0.0.1:2"], api: .v3)
        await #expect {
            try await EtcdV3Registry(configuration: etcd).networkConfig()
        } throws: { error in
            guard case let .unreachable(_, errors) = error as? RegistryError else { return false }
            return errors.count == 2 && errors[0].hasPrefix("http://127.0.0.1:1:") && errors[1].hasPrefix("http://127.0.0.1:2:")
        }
    }

    /// An etcd of its own: enabling authentication would lock the other tests out.
    @Test("with authentication on, v2 sends basic auth and v3 trades the password for a token, again when it expired; wrong credentials are named")
    func authentication() async throws {
        let directory = "/tmp/clc-flannel-auth-etcd-\(getpid())"
        let port = 25000 + Int(getpid() % 400) * 2
        // Tokens that expire after a second of disuse, so the test also sees one renewed.
        let started = EtcdFixture.run(["CLC_ETCD_ARGS=--auth-token-ttl=1", "bash", EtcdFixture.scriptDirectory + "/etcd.sh", "start", directory, "\(port)"])
        defer { _ = EtcdFixture.run(["bash", EtcdFixture.scriptDirectory + "/etcd.sh", "stop", directory]) }
        try #require(started.status == 0, "scripts/etcd.sh start: \(started.output)")
        let endpoint = "http://127.0.0.1:\(port)"
        let raw = RawEtcd(endpoint: endpoint)
        let prefix = "/coreos.com/network"
        try await raw.put(.v3, prefix + "/config", Fixtures.hostGWConfig)
        try await raw.put(.v2, prefix + "/config", Fixtures.hostGWConfig)

        // v3: a root user with the root role, then auth on.
        try await raw.v3("/v3/auth/user/add", ["name": .string("root"), "password": .string("s3cret")])
        try await raw.v3("/v3/auth/user/grant", ["user": .string("root"), "role": .string("root")])
        try await raw.v3("/v3/auth/enable", [:])
        // v2 keeps its own users (etcd 3.4's v2 auth store).
        try await raw.v2Auth(user: "root", password: "s3cret")

        for api in EtcdAPI.allCases {
            let good = EtcdConfiguration(endpoints: [endpoint], prefix: prefix, api: api == .v2 ? .v2 : .v3, username: "root", password: "s3cret")
            let registry = EtcdFixture.registry(api, good)
            #expect(try await registry.networkConfig() == Array(Fixtures.hostGWConfig.utf8), "\(api)")
            let config = try NetworkConfig.parse(try #require(await registry.networkConfig()))
            let lease = try await LeaseAcquirer(registry: registry, logger: Fixtures.logger).acquire(
                config: config, attributes: LeaseAttributes(publicIP: Fixtures.ip("192.168.91.1"), backendType: "host-gw"), previous: nil)
            #expect(config.admits(lease.subnet), "\(api)")
            if api == .v3 {
                try await Task.sleep(for: .milliseconds(2500))
                #expect(try await registry.lease(lease.subnet)?.subnet == lease.subnet, "after the token expired")
            }

            let bad = EtcdConfiguration(endpoints: [endpoint], prefix: prefix, api: api == .v2 ? .v2 : .v3, username: "root", password: "wrong")
            await #expect("\(api)") {
                try await EtcdFixture.registry(api, bad).leases()
            } throws: { error in
                guard case .unauthorized = error as? RegistryError else { return false }
                return true
            }
        }
    }

    /// An etcd of its own that serves https and requires client certificates, made by openssl.
    @Test("TLS: the CA, client certificate and key reach an etcd that requires them, under both APIs")
    func tls() async throws {
        let directory = "/tmp/clc-flannel-tls-etcd-\(getpid())"
        let certificates = directory + "-pki"
        defer { try? FileManager.default.removeItem(atPath: certificates) }
        let made = EtcdFixture.run(["bash", "-c", Self.makeCertificates, "make-certificates", certificates])
        try #require(made.status == 0, "openssl: \(made.output)")
        let port = 25800 + Int(getpid() % 90) * 2
        let script = EtcdFixture.scriptDirectory + "/etcd.sh"
        let started = EtcdFixture.run(["CLC_ETCD_TLS_DIR=\(certificates)", "bash", script, "start", directory, "\(port)"])
        defer { _ = EtcdFixture.run(["CLC_ETCD_TLS_DIR=\(certificates)", "bash", script, "stop", directory]) }
        try #require(started.status == 0, "scripts/etcd.sh start: \(started.output)")
        let endpoint = "https://127.0.0.1:\(port)"

        for api in EtcdAPI.allCases {
            let etcd = EtcdConfiguration(
                endpoints: [endpoint], prefix: "/tls/network", api: api == .v2 ? .v2 : .v3, caFile: certificates + "/ca.pem",
                certFile: certificates + "/client.pem", keyFile: certificates + "/client-key.pem")
            let registry = EtcdFixture.registry(api, etcd)
            #expect(try await registry.networkConfig() == nil, "\(api)")
            let subnet = Fixtures.subnet("10.1.3.0/24")
            _ = try await registry.createLease(
                subnet, attributes: LeaseAttributes(publicIP: Fixtures.ip("192.168.92.1"), backendType: "host-gw"), ttl: .seconds(60))
            #expect(try await registry.lease(subnet)?.attributes.publicIP == Fixtures.ip("192.168.92.1"), "\(api)")

            var noClientCertificate = etcd
            noClientCertificate.certFile = nil
            noClientCertificate.keyFile = nil
            await #expect("\(api)") {
                try await EtcdFixture.registry(api, noClientCertificate).leases()
            } throws: { error in
                guard case let .unreachable(_, errors) = error as? RegistryError else { return false }
                return errors.first?.hasPrefix(endpoint) == true
            }
        }
    }

    /// A CA, a server certificate for 127.0.0.1 and a client certificate, into "$1". The
    /// server's certificate also allows client use: etcd 3.4's JSON gateway reaches the gRPC
    /// server inside the same process with it, and with --client-cert-auth a serverAuth-only
    /// certificate makes every /v3 call answer 503 "connection closed".
    static let makeCertificates = #"""
        set -euo pipefail
        mkdir -p "$1" && cd "$1"
        openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days 2 -subj /CN=clc-test-ca
        for who in server client; do
          openssl req -newkey rsa:2048 -nodes -keyout $who-key.pem -out $who.csr -subj /CN=clc-test-$who
          if [[ $who == server ]]; then ext=$'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth'
          else ext=extendedKeyUsage=clientAuth; fi
          openssl x509 -req -in $who.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out $who.pem -days 2 -extfile <(printf '%s\n' "$ext")
        done
        """#
}
