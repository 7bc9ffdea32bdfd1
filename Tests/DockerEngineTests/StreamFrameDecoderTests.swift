import Testing

@testable import DockerEngine

@Suite("Decoding the engine's multiplexed stream")
struct StreamFrameDecoderTests {
    @Test("frames split across chunks come out whole, stdout and stderr apart, empty ones skipped")
    func framesAcrossChunks() {
        var decoder = StreamFrameDecoder(buffered: [1, 0, 0, 0, 0, 0, 0, 2, 104])
        #expect(decoder.nextFrame() == nil)
        decoder.append([105, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 1])
        #expect(decoder.nextFrame() == .stdout([104, 105]))
        #expect(decoder.nextFrame() == nil)
        decoder.append([33])
        #expect(decoder.nextFrame() == .stderr([33]))
        #expect(decoder.nextFrame() == nil)
    }
}
