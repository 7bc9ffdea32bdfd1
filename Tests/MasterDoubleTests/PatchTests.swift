import MasterDouble
import Testing

@Suite("JSON values and merge patches")
struct PatchTests {
    @Test("JSON round-trips with exact integers and sorted keys")
    func roundTrip() throws {
        let text = #"{"b":[1,2.5,true,null,"x\n"],"a":{"rv":"12","n":9007199254740993}}"#
        let value = try JSONValue.parse(Array(text.utf8))
        #expect(value[path: ["a", "n"]] == .int(9_007_199_254_740_993))
        #expect(value.text == #"{"a":{"n":9007199254740993,"rv":"12"},"b":[1,2.5,true,null,"x\n"]}"#)
    }

    @Test("a JSON merge patch removes keys set to null and replaces lists")
    func mergePatch() {
        let original: JSONValue = ["a": 1, "b": ["c": 2, "d": 3], "l": [1, 2]]
        let patched = original.applyingMergePatch(["b": ["c": .null, "e": 4], "l": [3]])
        #expect(patched == ["a": 1, "b": ["d": 3, "e": 4], "l": [3]])
    }
}
