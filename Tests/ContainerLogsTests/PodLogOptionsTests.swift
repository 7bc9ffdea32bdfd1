import ContainerLogs
import Foundation
import Testing

@Suite("PodLogOptions from a containerLogs query")
struct PodLogOptionsTests {
    @Test("an empty query asks for the whole log of every stream, once")
    func defaults() throws {
        let options = try PodLogOptions(query: [:])
        #expect(options == PodLogOptions())
        #expect(options.stream == .all && !options.follow && options.tailLines == nil)
    }

    @Test("kubectl logs -f --tail=5 --timestamps --limit-bytes=100 parses into its options")
    func kubectlFlags() throws {
        let options = try PodLogOptions(query: [
            "follow": ["true"], "tailLines": ["5"], "timestamps": ["1"], "limitBytes": ["100"], "previous": ["false"],
        ])
        #expect(options.follow && options.timestamps && !options.previous)
        #expect(options.tailLines == 5 && options.limitBytes == 100)
    }

    @Test("sinceTime is RFC 3339 and the legacy tail=N stands in for tailLines")
    func sinceTimeAndLegacyTail() throws {
        let options = try PodLogOptions(query: ["sinceTime": ["2026-12-03T10:00:00Z"], "tail": ["7"]])
        #expect(options.sinceTime == Date(timeIntervalSince1970: 1_796_292_000))
        #expect(options.tailLines == 7)
        #expect(try PodLogOptions(query: ["tail": ["all"]]).tailLines == nil)
    }

    @Test(
        "bad values are refused with kubelet's status, naming the field",
        arguments: [
            (["follow": ["maybe"]], 400, "follow"),
            (["tailLines": ["ten"]], 400, "tailLines"),
            (["sinceTime": ["yesterday"]], 400, "sinceTime"),
            (["sinceSeconds": ["0"]], 422, "sinceSeconds"),
            (["sinceSeconds": ["5"], "sinceTime": ["2026-12-03T10:00:00Z"]], 422, "sinceSeconds"),
            (["tailLines": ["-1"]], 422, "tailLines"),
            (["limitBytes": ["0"]], 422, "limitBytes"),
            (["stream": ["Both"]], 422, "stream"),
        ] as [([String: [String]], Int, String)])
    func refusals(query: [String: [String]], status: Int, field: String) {
        #expect {
            _ = try PodLogOptions(query: query)
        } throws: { error in
            guard let error = error as? LogRequestError else { return false }
            return error.status == status && error.message.contains(field)
        }
    }
}
