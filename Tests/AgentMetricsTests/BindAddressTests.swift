import AgentMetrics
import Testing

@Suite("Metrics bind addresses")
struct BindAddressTests {
    static let validAddresses: [(String, BindAddress)] = [
        ("127.0.0.1:10249", BindAddress(host: "127.0.0.1", family: .ipv4, port: 10249)),
        ("0.0.0.0:10249", BindAddress(host: "0.0.0.0", family: .ipv4, port: 10249)),
        ("localhost:0", BindAddress(host: "127.0.0.1", family: .ipv4, port: 0)),
        ("[::1]:10249", BindAddress(host: "::1", family: .ipv6, port: 10249)),
        ("[::]:65535", BindAddress(host: "::", family: .ipv6, port: 65535)),
    ]

    @Test("host:port forms kube-proxy's --metrics-bind-address takes", arguments: validAddresses)
    func valid(_ text: String, _ expected: BindAddress) throws {
        #expect(try BindAddress(parsing: text) == expected)
    }

    @Test("the default is kube-proxy's 127.0.0.1:10249")
    func defaultAddress() {
        #expect(BindAddress.kubeProxyDefault.description == "127.0.0.1:10249")
        #expect(BindAddress(host: "::1", family: .ipv6, port: 9).description == "[::1]:9")
    }

    static let invalidAddresses: [(String, String)] = [
        ("10249", "expected HOST:PORT, e.g. 127.0.0.1:10249"),
        (":10249", "no host; use 0.0.0.0:10249 for every interface"),
        ("127.0.0.1:", "port \"\" is not a number from 0 to 65535"),
        ("127.0.0.1:70000", "port \"70000\" is not a number from 0 to 65535"),
        ("127.0.0.1:-1", "port \"-1\" is not a number from 0 to 65535"),
        ("127.0.0.1:http", "port \"http\" is not a number from 0 to 65535"),
        ("node1:10249", "\"node1\" is not an IPv4 address"),
        ("300.1.1.1:10249", "\"300.1.1.1\" is not an IPv4 address"),
        ("::1:10249", "an IPv6 address must be in brackets, e.g. [::1]:10249"),
        ("[::1:10249", "an IPv6 address needs a closing ]"),
        ("[::1]10249", "expected :PORT after ]"),
        ("[127.0.0.1]:10249", "\"127.0.0.1\" is not an IPv6 address"),
    ]

    @Test("malformed addresses are errors naming the text and what is wrong", arguments: invalidAddresses)
    func invalid(_ text: String, _ reason: String) {
        #expect(throws: MetricsServerError.invalidBindAddress(text, reason: reason)) { try BindAddress(parsing: text) }
    }
}
