import Foundation
import Yams

/// Reads Kubernetes manifests (static pod files, `kubectl apply` style files) in JSON or YAML.
public enum ManifestDecoder {
    /// Decodes every object in a manifest.
    ///
    /// Text whose first non-blank character is `{` or `[` is JSON, as in Kubernetes' own
    /// YAML-or-JSON reader; anything else is YAML, which may hold several documents separated by
    /// `---` (empty documents are skipped). Each object is dispatched on its `kind`; lists are
    /// decoded recursively; unmodelled kinds become `.other`. Unknown fields are ignored.
    ///
    /// - Parameters:
    ///   - data: The manifest's bytes, UTF-8.
    ///   - source: Where the bytes came from (a file path); every error names it.
    /// - Returns: The objects in document order.
    /// - Throws: `ManifestError` for the first problem: a syntax error with its line, a missing
    ///   `kind`, or a field of the wrong type with its path.
    public static func decode(_ data: Data, source: String) throws(ManifestError) -> [KubeObject] {
        guard var text = String(data: data, encoding: .utf8) else {
            throw ManifestError(source: source, reason: .notUTF8)
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let firstCharacter = text.first { !$0.isWhitespace }
        if firstCharacter == "{" || firstCharacter == "[" {
            return [try decodeJSON(Data(text.utf8), text: text, source: source)]
        }
        return try decodeYAML(text, source: source)
    }

    private static func decodeJSON(_ data: Data, text: String, source: String) throws(ManifestError) -> KubeObject {
        do {
            return try JSONDecoder().decode(ManifestDocument.self, from: data).object
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
                throw diagnoseUnlocatedJSONError(data, text: text, source: source)
            }
            throw manifestError(error, source: source, document: nil)
        } catch let error as ManifestDocument.MissingKind {
            throw ManifestError(source: source, reason: .missingKind(field: fieldPath(error.codingPath)))
        } catch {
            throw ManifestError(source: source, reason: .invalidValue(field: "", detail: "\(error)"))
        }
    }

    /// Foundation's JSONDecoder reports both syntax errors and out-of-range numbers as "not valid
    /// JSON" at the root, with no position. Tell them apart: JSONSerialization locates syntax
    /// errors, and the YAML decoder (JSON is YAML) locates the field whose value does not fit.
    private static func diagnoseUnlocatedJSONError(_ data: Data, text: String, source: String) -> ManifestError {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            let message = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            let position = characterOffset(in: message).map { lineAndColumn(ofOffset: $0, in: text) }
            let (line, column) = position ?? (nil, nil)
            return ManifestError(
                source: source,
                reason: .syntax(format: "JSON", message: message, line: line, column: column))
        }
        do {
            _ = try YAMLDecoder().decode(ManifestDocument.self, from: text)
        } catch let error as DecodingError {
            return manifestError(error, source: source, document: nil)
        } catch {}
        return ManifestError(
            source: source,
            reason: .invalidValue(
                field: "", detail: "a number is out of range or not an integer where one is required"))
    }

    private static func decodeYAML(_ text: String, source: String) throws(ManifestError) -> [KubeObject] {
        // Counted on the parser's events first: composing alone can take exponential time when
        // an alias is a mapping key (YAMLExpansion says why).
        let budget = yamlNodeBudget(bytes: text.utf8.count)
        if let beyond = YAMLExpansion.documentBeyond(text, budget: budget) {
            throw ManifestError(
                source: source, document: beyond.documents > 1 ? beyond.document : nil, reason: .excessiveAliasing(limit: budget))
        }
        var nodes: [Yams.Node] = []
        do {
            let parser = try Parser(yaml: text)
            while let node = try parser.nextRoot() {
                nodes.append(node)
            }
        } catch let error as YamlError {
            throw yamlSyntaxError(error, source: source)
        } catch {
            throw ManifestError(
                source: source, reason: .syntax(format: "YAML", message: "\(error)", line: nil, column: nil))
        }

        // Composing shares an anchored node among its aliases; decoding would visit it once per
        // alias, so aliases of aliases would take exponential time. Count first, within a budget.
        var remaining = budget
        for (index, node) in nodes.enumerated() {
            guard countNodes(node, within: &remaining) else {
                throw ManifestError(
                    source: source, document: nodes.count > 1 ? index + 1 : nil, reason: .excessiveAliasing(limit: budget))
            }
        }

        var objects: [KubeObject] = []
        for (index, node) in nodes.enumerated() where node.null == nil {
            let document = nodes.count > 1 ? index + 1 : nil
            do {
                objects.append(try YAMLDecoder().decode(ManifestDocument.self, from: node).object)
            } catch let error as DecodingError {
                throw manifestError(error, source: source, document: document)
            } catch let error as ManifestDocument.MissingKind {
                throw ManifestError(
                    source: source, document: document, reason: .missingKind(field: fieldPath(error.codingPath)))
            } catch let error as YamlError {
                throw yamlSyntaxError(error, source: source)
            } catch {
                throw ManifestError(
                    source: source, document: document, reason: .invalidValue(field: "", detail: "\(error)"))
            }
        }
        return objects
    }

    /// The nodes a YAML manifest of `bytes` bytes may expand to, aliases followed: twice its
    /// size (a node takes at least two bytes of text, so a document without aliases stays far
    /// below) plus 100,000 for documents that do reuse anchors. A 1 MiB manifest is counted in
    /// a few milliseconds.
    public static func yamlNodeBudget(bytes: Int) -> Int { 100_000 + 2 * bytes }

    /// Whether every document of `yaml` fits in `budget` nodes, aliases followed (for tests).
    static func fitsNodeBudget(_ yaml: String, budget: Int) throws -> Bool {
        let parser = try Parser(yaml: yaml)
        var remaining = budget
        while let node = try parser.nextRoot() {
            guard countNodes(node, within: &remaining) else { return false }
        }
        return true
    }

    /// Counts `node` and everything below it against `remaining`, without recursion (a deeply
    /// nested document must not exhaust the stack) and charging nodes as they are queued, so the
    /// queue never holds more than the budget.
    /// - Returns: false as soon as the budget is spent.
    static func countNodes(_ node: Yams.Node, within remaining: inout Int) -> Bool {
        remaining -= 1
        guard remaining >= 0 else { return false }
        var pending = [node]
        while let next = pending.popLast() {
            switch next {
            case .scalar, .alias:
                continue
            case let .mapping(mapping):
                remaining -= 2 * mapping.count
                guard remaining >= 0 else { return false }
                for (key, value) in mapping {
                    pending.append(key)
                    pending.append(value)
                }
            case let .sequence(sequence):
                remaining -= sequence.count
                guard remaining >= 0 else { return false }
                pending.append(contentsOf: sequence)
            }
        }
        return true
    }

    private static func manifestError(_ error: DecodingError, source: String, document: Int?) -> ManifestError {
        let reason: ManifestError.Reason
        switch error {
        case let .typeMismatch(type, context):
            reason = .typeMismatch(field: fieldPath(context.codingPath), expected: expectedTypeName(type))
        case let .valueNotFound(_, context):
            reason = .missingField(field: fieldPath(context.codingPath))
        case let .keyNotFound(key, context):
            reason = .missingField(field: fieldPath(context.codingPath + [key]))
        case let .dataCorrupted(context):
            reason = .invalidValue(field: fieldPath(context.codingPath), detail: context.debugDescription)
        @unknown default:
            reason = .invalidValue(field: "", detail: "\(error)")
        }
        return ManifestError(source: source, document: document, reason: reason)
    }

    private static func yamlSyntaxError(_ error: YamlError, source: String) -> ManifestError {
        let reason: ManifestError.Reason
        switch error {
        case let .scanner(context, problem, mark, _),
            let .parser(context, problem, mark, _),
            let .composer(context, problem, mark, _):
            let message = context.map { "\(problem) (\($0.text) at line \($0.mark.line))" } ?? problem
            reason = .syntax(format: "YAML", message: message, line: mark.line, column: mark.column)
        case let .duplicatedKeysInMapping(duplicates, context):
            reason = .syntax(
                format: "YAML", message: "duplicate keys \(duplicates.joined(separator: ", ")) in a mapping",
                line: context.mark.line, column: context.mark.column)
        default:
            reason = .syntax(format: "YAML", message: "\(error)", line: nil, column: nil)
        }
        return ManifestError(source: source, reason: reason)
    }

    /// The offset in "Invalid value around character 17." (counted from 0).
    private static func characterOffset(in message: String) -> Int? {
        guard let range = message.range(of: "around character ") else { return nil }
        let digits = message[range.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }

    private static func lineAndColumn(ofOffset offset: Int, in text: String) -> (Int?, Int?) {
        var line = 1
        var column = 1
        for (index, character) in text.unicodeScalars.enumerated() {
            if index == offset { return (line, column) }
            if character == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}
