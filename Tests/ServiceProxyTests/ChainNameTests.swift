import Testing

@testable import ServiceProxy

@Suite("chain names")
struct ChainNameTests {
    @Test("base32 is RFC 4648's, without padding", arguments: [("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foobar", "MZXW6YTBOI")])
    func base32Vectors(text: String, expected: String) {
        #expect(Base32.encode(Array(text.utf8)) == expected)
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
