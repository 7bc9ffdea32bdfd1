import Testing

@testable import ServiceProxy

@Suite("chain names")
struct ChainNameTests {
    @Test("SHA-256 of abc is the FIPS 180-2 test vector")
    func sha256Vector() {
        let digest = SHA256.hash(Array("abc".utf8)).map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }
        #expect(digest.joined() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("a service port chain is named as kube-proxy names it (ULMVA6XW-ns1/svc1/tcp/p80)")
    func kubeProxyExample() {
        #expect(ProxyNames.hashAndTruncate("ns1/svc1/tcp/p80") == "ULMVA6XW-ns1/svc1/tcp/p80")
        #expect(ProxyNames.hashAndTruncate("ns1/svc1/tcp/p80__10.180.0.1/80") == "5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80")
    }

    @Test("a name longer than 240 bytes is cut with an ellipsis and stays within nft's limit")
    func truncation() {
        let long = String(repeating: "a", count: 300)
        let name = ProxyNames.hashAndTruncate(long)
        #expect(name.utf8.count == 240)
        #expect(name.hasSuffix("..."))
    }
}
