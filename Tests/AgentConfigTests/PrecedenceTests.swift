import Testing

@testable import AgentConfig

@Suite("Flags over the --config file over defaults, as kubelet")
struct PrecedenceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var arguments: [String]
        var file: [(flag: String, value: String)]
        var expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "the file fills flags the command line does not give",
            arguments: ["run", "--config", "k.yaml"], file: [("port", "10260"), ("cluster-dns", "10.254.0.10")],
            expected: ["run", "--config", "k.yaml", "--port=10260", "--cluster-dns=10.254.0.10"]),
        Case(
            name: "a flag given as --flag value wins over the file",
            arguments: ["run", "--port", "10270"], file: [("port", "10260")],
            expected: ["run", "--port", "10270"]),
        Case(
            name: "a flag given as --flag=value wins over the file",
            arguments: ["run", "--port=10270"], file: [("port", "10260"), ("address", "10.0.0.5")],
            expected: ["run", "--port=10270", "--address=10.0.0.5"]),
        Case(
            name: "a flag that came from a CLC_NODE_ variable (appended before) wins over the file",
            arguments: ["run", "--cluster-domain=corp.local"], file: [("cluster-domain", "cluster.local")],
            expected: ["run", "--cluster-domain=corp.local"]),
        Case(
            name: "a flag of similar name is not the flag",
            arguments: ["run", "--healthz-port=1"], file: [("port", "10260")],
            expected: ["run", "--healthz-port=1", "--port=10260"]),
        Case(
            name: "an empty value from the file goes as its own word",
            arguments: ["run"], file: [("resolv-conf", "")],
            expected: ["run", "--resolv-conf", ""]),
        Case(
            name: "without a file nothing changes (the defaults stay)",
            arguments: ["run", "--port=1"], file: [],
            expected: ["run", "--port=1"]),
    ]

    @Test("the merged command line", arguments: cases)
    func merge(_ testCase: Case) {
        #expect(ConfigFileFlags.merge(arguments: testCase.arguments, file: testCase.file) == testCase.expected)
    }

    @Test("--config is found as --config FILE or --config=FILE, the last one counting")
    func configPath() {
        #expect(ConfigFileFlags.configPath(in: ["run", "--config", "a.yaml"]) == "a.yaml")
        #expect(ConfigFileFlags.configPath(in: ["run", "--config=a.yaml", "--config=b.yaml"]) == "b.yaml")
        #expect(ConfigFileFlags.configPath(in: ["run", "--port=1"]) == nil)
    }
}
