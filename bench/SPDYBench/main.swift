import SPDY

/// Throughput of the SPDY module on one core, release build: what an exec or port-forward costs
/// in framing. `swift run -c release clc-bench-spdy`.
///
/// - receive: 256 MiB of 32 KiB DATA frames (kubectl's io.Copy writes) through
///   SPDYServerSession.receive, fed in 64 KiB reads, WINDOW_UPDATEs included;
/// - send: 256 MiB through SPDYServerSession.send and takeOutput (32 KiB frames);
/// - streams: SYN_STREAM (compressed headers) + SYN_REPLY + FIN per stream, as kubectl opens its
///   exec streams, decoded and answered.

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func report(_ name: String, _ bytes: Int, _ duration: Duration) {
    let mib = Double(bytes) / Double(1 << 20)
    print("\(name): \(Int(mib)) MiB in \(String(seconds(duration)).prefix(6)) s = \(Int(mib / seconds(duration))) MiB/s")
}

let clock = ContinuousClock()
let total = 256 << 20
let frame = 32 * 1024
let payload = [UInt8](repeating: 0x5A, count: frame)

do {
    // receive
    let client = SPDYFrameEncoder()
    let session = SPDYServerSession()
    let open = client.encode(
        .synStream(
            streamID: 1, associatedStreamID: 0, priority: 0, fin: false, unidirectional: false,
            headers: ["streamtype": "stdin"]))
    _ = try session.receive(open)
    try session.reply(streamID: 1, headers: [:], fin: false)
    let oneFrame = client.encode(.data(streamID: 1, fin: false, payload: payload))
    let wire = (0..<(64 * 1024 / oneFrame.count + 1)).flatMap { _ in oneFrame }
    var received = 0
    let receiveTime = try clock.measure {
        var offset = 0
        while received < total {
            let end = min(offset + 65_536, wire.count)
            for event in try session.receive(Array(wire[offset..<end])) {
                if case .data(_, let bytes) = event { received += bytes.count }
            }
            _ = session.takeOutput()
            offset = end == wire.count ? 0 : end
        }
    }
    report("receive", received, receiveTime)

    // send
    let sender = SPDYServerSession()
    _ = try sender.receive(SPDYFrameEncoder().encode(
        .synStream(streamID: 1, associatedStreamID: 0, priority: 0, fin: false, unidirectional: false, headers: [:])))
    try sender.reply(streamID: 1, headers: [:], fin: false)
    var written = 0
    let sendTime = try clock.measure {
        var sent = 0
        while sent < total {
            try sender.send(streamID: 1, data: payload, fin: false)
            written += sender.takeOutput().count
            sent += payload.count
        }
    }
    report("send", written, sendTime)

    // streams
    let streamCount = 20_000
    let peer = SPDYFrameEncoder()
    let server = SPDYServerSession()
    let types = ["error", "stdin", "stdout", "stderr"]
    let streamTime = try clock.measure {
        for index in 0..<streamCount {
            let id = UInt32(2 * index + 1)
            let bytes = peer.encode(
                .synStream(
                    streamID: id, associatedStreamID: 0, priority: 0, fin: true, unidirectional: false,
                    headers: ["streamtype": types[index % 4], "requestid": String(index / 4)]))
            for case .streamOpened(let opened, _) in try server.receive(bytes) {
                try server.reply(streamID: opened, headers: [:], fin: true)
            }
            _ = server.takeOutput()
        }
    }
    let perSecond = Int(Double(streamCount) / seconds(streamTime))
    print("streams: \(streamCount) opened and replied in \(String(seconds(streamTime)).prefix(6)) s = \(perSecond) streams/s")
} catch {
    print("clc-bench-spdy: \(error)")
}
