/// Decodes one manifest object by peeking at its `kind`, so that JSON and YAML share one path and
/// decoding errors carry the full coding path (`items[1].spec.containers[0]...`).
struct ManifestDocument: Decodable {
    let object: KubeObject

    private enum Keys: String, CodingKey {
        case kind, items
    }

    /// Thrown from inside decoding when an object has no `kind`; the decoders pass it through.
    struct MissingKind: Error {
        let codingPath: [any CodingKey]
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let kind = try container.decodeIfPresent(String.self, forKey: .kind) ?? ""
        if kind.isEmpty { throw MissingKind(codingPath: decoder.codingPath) }
        switch kind {
        case "Pod":
            object = .pod(try Pod(from: decoder))
        case "ReplicationController":
            object = .replicationController(try ReplicationController(from: decoder))
        case "Service":
            object = .service(try Service(from: decoder))
        case "Endpoints":
            object = .endpoints(try Endpoints(from: decoder))
        case "List":
            // A generic list's items name their own kinds.
            let items = try container.decodeIfPresent([ManifestDocument].self, forKey: .items) ?? []
            object = .list(items.map(\.object))
        case "PodList":
            // Typed lists from the API server leave out each item's kind.
            object = .list((try container.decodeIfPresent([Pod].self, forKey: .items) ?? []).map(KubeObject.pod))
        case "ReplicationControllerList":
            let items = try container.decodeIfPresent([ReplicationController].self, forKey: .items) ?? []
            object = .list(items.map(KubeObject.replicationController))
        case "ServiceList":
            object = .list(
                (try container.decodeIfPresent([Service].self, forKey: .items) ?? []).map(KubeObject.service))
        case "EndpointsList":
            object = .list(
                (try container.decodeIfPresent([Endpoints].self, forKey: .items) ?? []).map(KubeObject.endpoints))
        case _ where kind.hasSuffix("List"):
            let itemKind = String(kind.dropLast("List".count))
            let items = try container.decodeIfPresent([UnmodelledItem].self, forKey: .items) ?? []
            object = .list(items.map { .other(kind: $0.kind ?? itemKind) })
        default:
            object = .other(kind: kind)
        }
    }

    /// An item of a list of a kind this module does not model: only its kind matters.
    private struct UnmodelledItem: Decodable {
        let kind: String?
    }
}
