import Testing

@testable import AgentConfig

@Suite("kubelet's flag names")
struct KubeletFlagAliasesTests {
    static let cases: [(String, [String], [String])] = [
        ("--pod-manifest-path is --manifest-dir", ["run", "--pod-manifest-path", "/etc/k8s"], ["run", "--manifest-dir=/etc/k8s"]),
        ("--hostname-override is --node-name", ["run", "--hostname-override=minion-1"], ["run", "--node-name=minion-1"]),
        ("--root-dir is --state-dir", ["run", "--root-dir=/var/lib/kubelet"], ["run", "--state-dir=/var/lib/kubelet"]),
        (
            "--pod-infra-container-image is --pod-infra-image", ["run", "--pod-infra-container-image", "k8s.gcr.io/pause:3.2"],
            ["run", "--pod-infra-image=k8s.gcr.io/pause:3.2"]
        ),
        ("--api-servers is --master (the first)", ["run", "--api-servers=http://m:8080,http://n:8080"], ["run", "--master=http://m:8080"]),
        ("--docker-endpoint is --docker-socket", ["run", "--docker-endpoint=unix:///run/docker.sock"], ["run", "--docker-socket=/run/docker.sock"]),
        ("--sync-frequency is --resync-interval in seconds", ["run", "--sync-frequency=1m0s"], ["run", "--resync-interval=60"]),
        (
            "--node-status-update-frequency is --node-status-interval in seconds", ["run", "--node-status-update-frequency", "500ms"],
            ["run", "--node-status-interval=1"]
        ),
        ("-v 2 is info", ["run", "-v", "2"], ["run", "--log-level=info"]),
        ("-v=4 is debug", ["run", "-v=4"], ["run", "--log-level=debug"]),
        ("--v=6 is trace", ["run", "--v=6"], ["run", "--log-level=trace"]),
        ("-v3 is debug", ["run", "-v3"], ["run", "--log-level=debug"]),
        ("clc-node's own names stay", ["run", "--manifest-dir=/a", "--port", "1"], ["run", "--manifest-dir=/a", "--port", "1"]),
        ("other commands stay", ["version", "-v"], ["version", "-v"]),
        ("after -- nothing is rewritten", ["run", "--", "--root-dir=/x"], ["run", "--", "--root-dir=/x"]),
    ]

    @Test("each alias", arguments: cases)
    func rewrite(_ testCase: (String, [String], [String])) throws {
        #expect(try KubeletFlagAliases.rewrite(testCase.1) == testCase.2, "\(testCase.0)")
    }

    @Test("a verbosity or duration that is none is refused, naming the flag")
    func refusals() {
        #expect(throws: KubeletFlagAliases.AliasError(flag: "v", value: "loud", detail: "is not a verbosity (0, 1, 2, ...)")) {
            try KubeletFlagAliases.rewrite(["run", "-v", "loud"])
        }
        #expect(throws: KubeletFlagAliases.AliasError.self) { try KubeletFlagAliases.rewrite(["run", "--sync-frequency=often"]) }
    }

    @Test("Go durations read as time.ParseDuration reads them")
    func durations() {
        #expect(GoDuration.seconds("1m30s") == 90)
        #expect(GoDuration.seconds("1h") == 3600)
        #expect(GoDuration.seconds("500ms") == 0.5)
        #expect(GoDuration.seconds("1.5s") == 1.5)
        #expect(GoDuration.seconds("0") == 0)
        #expect(GoDuration.seconds("10") == nil)
        #expect(GoDuration.seconds("") == nil)
        #expect(GoDuration.seconds("5x") == nil)
    }
}
