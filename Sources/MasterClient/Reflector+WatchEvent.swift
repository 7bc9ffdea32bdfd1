import Foundation
import KubeAPI

extension Reflector {
    /// What one watch event line did to the store.
    enum Applied: Equatable {
        /// A bookmark: only the resourceVersion moves on (nil when the bookmark had none).
        case version(String?)
        /// An object was added, modified or deleted; its resourceVersion.
        case changed(String?)
        /// 410 Gone: the watch is too old, list again.
        case gone
    }

    private struct Header: Decodable { var type: String }
    private struct Bookmark: Codable, Sendable, Hashable { var metadata: ObjectMeta }

    /// Applies one line of a watch stream to `store`: pure, so that tests and the fuzz target
    /// (Tests/Fuzz) feed it any bytes.
    /// - Parameter label: names the watch in errors, e.g. `watch /api/v1/pods`.
    /// - Throws: ``MasterError`` for a line that is not a watch event, an unknown event type, an
    ///   object that does not decode, or an ERROR event other than 410 Gone.
    static func apply(_ line: [UInt8], to store: inout ObjectStore<Resource>, label: String) throws(MasterError) -> Applied {
        let data = Data(line)
        let decoder = JSONDecoder()
        guard let header = try? decoder.decode(Header.self, from: data) else {
            throw .decoding(request: label, message: "not a watch event: \(String(decoding: line.prefix(200), as: UTF8.self))")
        }
        switch header.type {
        case "ERROR":
            let status = try? decoder.decode(WatchEvent<Status>.self, from: data).object
            if status?.code == 410 { return .gone }
            throw .status(request: label, code: Int(status?.code ?? 500), reason: status?.reason ?? "", message: status?.message ?? "watch error")
        case "BOOKMARK":
            let bookmark = try? decoder.decode(WatchEvent<Bookmark>.self, from: data).object
            return .version(bookmark?.metadata.resourceVersion)
        case "ADDED", "MODIFIED", "DELETED":
            let object: Resource
            do {
                object = try decoder.decode(WatchEvent<Resource>.self, from: data).object
            } catch {
                throw .decoding(request: label, message: "\(error)")
            }
            if header.type == "DELETED" {
                store.remove(object, key: object.storeKey, keyOf: \.storeKey)
            } else {
                store.upsert(object, key: object.storeKey)
            }
            return .changed(object.metadata.resourceVersion)
        default:
            throw .decoding(request: label, message: "unknown watch event type \(header.type)")
        }
    }
}
