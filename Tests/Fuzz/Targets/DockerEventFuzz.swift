import CurlHTTP

@testable import DockerEngine

/// The Docker engine's event stream, as the pod manager reads it: split into lines (in chunks,
/// as libcurl delivers them), each line decoded as an event; then what the manager reads of a
/// `die` or `oom` event (the pod UID label, the container ID).
enum DockerEventFuzz {
    static func run(_ bytes: UnsafeRawBufferPointer) {
        var splitter = LineSplitter(maxLineBytes: DockerClient.eventMaxLineBytes, stream: "docker events")
        var offset = 0
        while offset < bytes.count {
            let chunk = Array(bytes[offset..<min(offset + 256, bytes.count)])
            offset += chunk.count
            guard let events = try? DockerClient.events(in: chunk, splitter: &splitter) else { return }
            for event in events where event.action == "die" || event.action == "oom" {
                _ = event.actor.attributes["io.kubernetes.pod.uid"]
                _ = event.actor.id.isEmpty
            }
        }
    }
}
