@testable import FlannelSubnet
import Foundation
import Testing

@Suite("Subnet and Docker options files")
struct FilesTests {
    let file = SubnetFile(network: IPv4Subnet("10.1.0.0/16")!, subnet: IPv4Subnet("10.1.15.0/24")!, mtu: 1450, ipMasq: true)

    @Test("subnet.env is flanneld's four lines, FLANNEL_SUBNET holding the .1 address")
    func subnetFile() {
        #expect(file.contents == "FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.15.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n")
    }

    @Test("the previous subnet is read back from FLANNEL_SUBNET")
    func previousSubnet() throws {
        #expect(SubnetFile.previousSubnet(in: file.contents) == IPv4Subnet("10.1.15.0/24"))
        #expect(SubnetFile.previousSubnet(in: "export FLANNEL_SUBNET=\"10.1.7.1/24\"\n") == IPv4Subnet("10.1.7.0/24"))
        #expect(SubnetFile.previousSubnet(in: "FLANNEL_NETWORK=10.1.0.0/16\n") == nil)
        #expect(SubnetFile.previousSubnet(inFileAt: "/nonexistent/subnet.env") == nil)
    }

    @Test("the Docker options are mk-docker-opts.sh's, --ip-masq=false only when flannel masquerades")
    func dockerOptions() {
        #expect(DockerOptionsFile(subnetFile: file).contents == """
            DOCKER_OPT_BIP="--bip=10.1.15.1/24"
            DOCKER_OPT_IPMASQ="--ip-masq=false"
            DOCKER_OPT_MTU="--mtu=1450"
            DOCKER_NETWORK_OPTIONS=" --bip=10.1.15.1/24 --ip-masq=false --mtu=1450 "

            """)
        var noMasq = file
        noMasq.ipMasq = false
        #expect(DockerOptionsFile(subnetFile: noMasq).contents == """
            DOCKER_OPT_BIP="--bip=10.1.15.1/24"
            DOCKER_OPT_MTU="--mtu=1450"
            DOCKER_NETWORK_OPTIONS=" --bip=10.1.15.1/24 --mtu=1450 "

            """)
    }

    @Test("files are replaced atomically and keep their mode")
    func atomicWrite() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/run/flannel/subnet.env"
        try AtomicFile.write("A=1\n", to: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        try AtomicFile.write(file.contents, to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == file.contents)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/run/flannel") == ["subnet.env"])
    }
}
