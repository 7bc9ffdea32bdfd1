import Foundation
import Yams

/// Reads a `--config` file: a KubeletConfiguration in YAML or JSON (JSON is YAML), decoded with
/// Yams' Codable decoder.
public enum KubeletConfigFile {
    /// The fields clc-node uses, and one warning for each field of the file it does not.
    public struct Loaded: Sendable, Hashable {
        public var configuration: KubeletConfiguration
        public var warnings: [String]
    }

    /// - Throws: ``KubeletConfigError`` when the file cannot be read.
    public static func load(path: String) throws(KubeletConfigError) -> Loaded {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw KubeletConfigError(file: path, detail: "cannot read: \(error.localizedDescription)")
        }
        return try parse(text, file: path)
    }

    /// - Parameter file: the file's name, for messages.
    /// - Throws: ``KubeletConfigError`` for text that is no YAML mapping, a wrong `kind` or
    ///   `apiVersion`, or a field of the wrong type.
    public static func parse(_ text: String, file: String) throws(KubeletConfigError) -> Loaded {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw KubeletConfigError(file: file, detail: "not YAML or JSON: \(error)")
        }
        guard let mapping = root?.mapping else {
            throw KubeletConfigError(file: file, detail: "expected a KubeletConfiguration object")
        }
        let configuration: KubeletConfiguration
        do {
            configuration = try YAMLDecoder().decode(KubeletConfiguration.self, from: text)
        } catch let error as DecodingError {
            throw describe(error, file: file)
        } catch {
            throw KubeletConfigError(file: file, detail: "\(error)")
        }
        guard configuration.kind == KubeletConfiguration.kind else {
            throw KubeletConfigError(
                file: file, field: "kind", detail: "\"\(configuration.kind ?? "")\" is not \(KubeletConfiguration.kind)")
        }
        guard configuration.apiVersion == KubeletConfiguration.apiVersion else {
            throw KubeletConfigError(
                file: file, field: "apiVersion",
                detail: "\"\(configuration.apiVersion ?? "")\" is not \(KubeletConfiguration.apiVersion)")
        }
        var warnings: [String] = []
        collectUnused(mapping, prefix: "", file: file, into: &warnings)
        return Loaded(configuration: configuration, warnings: warnings)
    }

    /// One warning per field that clc-node does not use, the deepest used object's child named.
    private static func collectUnused(_ mapping: Node.Mapping, prefix: String, file: String, into warnings: inout [String]) {
        for (key, value) in mapping {
            let name = key.string ?? "\(key)"
            let path = prefix.isEmpty ? name : "\(prefix).\(name)"
            guard KubeletConfiguration.usedFields.contains(path) else {
                let reason = KubeletConfiguration.unusedReasons[path] ?? "clc-node does not use it"
                warnings.append("--config \(file): field \(path) ignored: \(reason)")
                continue
            }
            if let child = value.mapping { collectUnused(child, prefix: path, file: file, into: &warnings) }
        }
    }

    private static func describe(_ error: DecodingError, file: String) -> KubeletConfigError {
        func path(_ context: DecodingError.Context, _ key: (any CodingKey)? = nil) -> String {
            (context.codingPath + (key.map { [$0] } ?? [])).map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .typeMismatch(let type, let context):
            return KubeletConfigError(file: file, field: path(context), detail: "expected \(typeName(type)): \(context.debugDescription)")
        case .valueNotFound(let type, let context):
            return KubeletConfigError(file: file, field: path(context), detail: "expected \(typeName(type)), found null")
        case .keyNotFound(let key, let context):
            return KubeletConfigError(file: file, field: path(context, key), detail: "required")
        case .dataCorrupted(let context):
            return KubeletConfigError(file: file, field: path(context), detail: context.debugDescription)
        @unknown default:
            return KubeletConfigError(file: file, detail: "\(error)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "an integer"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        case is [String].Type: "a list of strings"
        default: "\(type)"
        }
    }
}
