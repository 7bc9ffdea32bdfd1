import Foundation

/// A label selector as the API accepts it in `labelSelector`: `a=b`, `a==b`, `a!=b`, `a`, `!a`,
/// `a in (x,y)`, `a notin (x,y)`, joined by commas.
struct LabelSelector: Sendable, Hashable {
    enum Requirement: Sendable, Hashable {
        case equals(String, String)
        case notEquals(String, String)
        case exists(String)
        case notExists(String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
    }

    var requirements: [Requirement] = []

    static let everything = LabelSelector()

    /// - Throws: `APIStatusError.badRequest` naming the selector when it does not parse.
    init(parsing text: String) throws {
        for term in Self.splitTerms(text) {
            let term = term.trimmingCharacters(in: .whitespaces)
            if term.isEmpty { continue }
            requirements.append(try Self.parseTerm(term, in: text))
        }
    }

    /// A selector from a `map[string]string` (replication controllers, services).
    init(matching labels: [String: String]) {
        requirements = labels.sorted { $0.key < $1.key }.map { .equals($0.key, $0.value) }
    }

    private init() {}

    func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): labels[key] == value
            case .notEquals(let key, let value): labels[key] != value
            case .exists(let key): labels[key] != nil
            case .notExists(let key): labels[key] == nil
            case .isIn(let key, let values): labels[key].map(values.contains) ?? false
            case .notIn(let key, let values): labels[key].map { !values.contains($0) } ?? true
            }
        }
    }

    private static func splitTerms(_ text: String) -> [String] {
        var terms: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if character == ",", depth == 0 {
                terms.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        terms.append(current)
        return terms
    }

    private static func parseTerm(_ term: String, in text: String) throws -> Requirement {
        func invalid() -> APIStatusError {
            APIStatusError.badRequest("unable to parse requirement: found '\(term)', invalid label selector \"\(text)\"")
        }
        func values(_ list: Substring) throws -> Set<String> {
            let trimmed = list.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("("), trimmed.hasSuffix(")") else { throw invalid() }
            return Set(trimmed.dropFirst().dropLast().split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            })
        }
        if let range = term.range(of: " notin ") {
            let key = term[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            return .notIn(key, try values(term[range.upperBound...]))
        }
        if let range = term.range(of: " in ") {
            let key = term[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            return .isIn(key, try values(term[range.upperBound...]))
        }
        for (operatorText, make) in [
            ("!=", Requirement.notEquals), ("==", Requirement.equals), ("=", Requirement.equals),
        ] as [(String, (String, String) -> Requirement)] {
            if let range = term.range(of: operatorText) {
                let key = term[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
                let value = term[range.upperBound...].trimmingCharacters(in: .whitespaces)
                if key.isEmpty { throw invalid() }
                return make(key, value)
            }
        }
        if term.hasPrefix("!") { return .notExists(String(term.dropFirst()).trimmingCharacters(in: .whitespaces)) }
        return .exists(term)
    }
}
