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

    @Test("splitting with a limit keeps the first bytes of stdout and stderr together, in the order written")
    func splitWithLimit() {
        let frames: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 3, 97, 98, 99] + [2, 0, 0, 0, 0, 0, 0, 2, 101, 102] + [1, 0, 0, 0, 0, 0, 0, 1, 100]
        let capped = StreamDemultiplexer.split(frames, limit: 4)
        #expect(capped.stdout == [97, 98, 99])
        #expect(capped.stderr == [101])
        let whole = StreamDemultiplexer.split(frames, limit: 6)
        #expect(whole.stdout == [97, 98, 99, 100])
        #expect(whole.stderr == [101, 102])
    }

    @Test("the raw stream read of an exec leaves room for its 10 KiB of output in one-byte frames")
    func rawStreamBound() {
        #expect(ExecResult.maxOutputBytes == 10 * 1024)
        #expect(DockerClient.execMaxStreamBytes >= ExecResult.maxOutputBytes * 9)
    }
}
