// libyaml's event parser, as vendored by Yams (its CYaml module, which SwiftPM makes visible to
// Yams' clients): the events are all this check needs, and Yams does not expose them.
import CYaml

/// How many nodes each YAML document expands to once its aliases are followed, counted on the
/// parser's events before anything is composed.
///
/// Composing is not safe on a hostile document: Yams' composer hashes every mapping key to find
/// duplicates, and a key that is an alias (`*lol: x`) or holds one costs as much as its anchored
/// node expands to, exponentially many nodes for a document of a few hundred bytes (found by the
/// fuzz target `manifest`, Tests/Fuzz: 5 s for one key, and minutes with one level more). The
/// events cost nothing of the sort: an alias is one event, whatever it stands for.
enum YAMLExpansion {
    /// The first document (counted from 1) after which the documents expand, together, to more
    /// than `budget` nodes, and how many documents the text holds; nil when all fit. A document
    /// with a syntax error counts up to that error (the composer then reports it).
    static func documentBeyond(_ text: String, budget: Int) -> (document: Int, documents: Int)? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer -> (document: Int, documents: Int)? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var expanded: [String: Int] = [:]  // anchor -> nodes of its node, aliases followed
            var open: [(anchor: String?, nodes: Int)] = []  // the collections being read
            var total = 0
            var document = 0
            var beyond: Int?
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                let type = event.type
                if type == YAML_STREAM_END_EVENT { break }
                if type == YAML_DOCUMENT_START_EVENT { document += 1 }
                // Once over the budget only the documents are counted.
                guard beyond == nil else { continue }
                var finished: (anchor: String?, nodes: Int)?
                switch type {
                case YAML_SCALAR_EVENT:
                    finished = (name(event.data.scalar.anchor), 1)
                case YAML_ALIAS_EVENT:
                    finished = (nil, name(event.data.alias.anchor).flatMap { expanded[$0] } ?? 1)
                case YAML_SEQUENCE_START_EVENT:
                    open.append((name(event.data.sequence_start.anchor), 1))
                case YAML_MAPPING_START_EVENT:
                    open.append((name(event.data.mapping_start.anchor), 1))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    finished = open.popLast()
                default:
                    break
                }
                guard let finished else { continue }
                // Saturating: a node beyond the budget is refused whatever its exact size.
                let bounded = min(finished.nodes, budget + 1)
                if let anchor = finished.anchor { expanded[anchor] = bounded }
                if open.isEmpty {
                    total = min(total + bounded, budget + 1)
                } else {
                    open[open.count - 1].nodes = min(open[open.count - 1].nodes + bounded, budget + 1)
                }
                if total > budget || (open.last.map { $0.nodes > budget } ?? false) { beyond = document }
            }
            return beyond.map { ($0, document) }
        }
    }

    private static func name(_ anchor: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        anchor.map { String(cString: $0) }
    }
}
