import Foundation
import Yams

/// The parts of a kubeconfig file the agent uses: the current context's server, certificate
/// authority, client certificate and key, bearer token or token file. Inline `*-data` fields are written to
/// files (mode 0600) because curl reads credentials from files.
public struct Kubeconfig: Sendable, Hashable {
    public var server: String
    public var certificateAuthority: String?
    public var clientCertificate: String?
    public var clientKey: String?
    public var token: String?
    /// The user's `tokenFile`: read again whenever it changes (client-go's behaviour), so a
    /// rotated token is used without a restart. `token` wins when both are set.
    public var tokenFile: String?
    public var insecureSkipTLSVerify: Bool

    /// - Parameters:
    ///   - path: the kubeconfig file; relative paths inside it are relative to its folder.
    ///   - credentialsDirectory: where inline credentials are written.
    /// - Throws: ``KubeconfigError`` naming the file and the field.
    public static func load(path: String, credentialsDirectory: String) throws(KubeconfigError) -> Kubeconfig {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw KubeconfigError(path: path, field: "", detail: "cannot be read")
        }
        let root: [String: Any]
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw KubeconfigError(path: path, field: "", detail: "is not a YAML mapping")
            }
            // Yams traps on a mapping key that is not a scalar (`? [a]: b`) when it builds
            // dictionaries, and follows aliases as often as they occur: check both first.
            if let problem = Self.constructionProblem(node, budget: 100_000 + 2 * data.count) {
                throw KubeconfigError(path: path, field: "", detail: problem)
            }
            guard let loaded = node.any as? [String: Any] else {
                throw KubeconfigError(path: path, field: "", detail: "is not a YAML mapping")
            }
            root = loaded
        } catch let error as KubeconfigError {
            throw error
        } catch {
            throw KubeconfigError(path: path, field: "", detail: "is not valid YAML: \(error)")
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        func named(_ list: String, _ name: String?) -> [String: Any]? {
            let entries = root[list] as? [[String: Any]] ?? []
            let entry = name.flatMap { wanted in entries.first { $0["name"] as? String == wanted } } ?? entries.first
            return entry
        }
        let contextName = root["current-context"] as? String
        let context = named("contexts", contextName)?["context"] as? [String: Any]
        guard let cluster = named("clusters", context?["cluster"] as? String)?["cluster"] as? [String: Any] else {
            throw KubeconfigError(path: path, field: "clusters", detail: "no cluster for the current context")
        }
        guard let server = cluster["server"] as? String, !server.isEmpty else {
            throw KubeconfigError(path: path, field: "clusters[].cluster.server", detail: "Required value")
        }
        let user = named("users", context?["user"] as? String)?["user"] as? [String: Any] ?? [:]

        func file(_ object: [String: Any], _ key: String, name: String) throws(KubeconfigError) -> String? {
            if let inline = object["\(key)-data"] as? String {
                guard let decoded = Data(base64Encoded: inline.filter { !$0.isWhitespace }) else {
                    throw KubeconfigError(path: path, field: "\(key)-data", detail: "is not base64")
                }
                let target = credentialsDirectory + "/" + name
                do throws(CredentialFile.Failure) {
                    try CredentialFile.write(Array(decoded), name: name, directory: credentialsDirectory)
                } catch {
                    throw KubeconfigError(path: path, field: "\(key)-data", detail: "cannot be written to \(target): \(error)")
                }
                return target
            }
            guard let reference = object[key] as? String, !reference.isEmpty else { return nil }
            return reference.hasPrefix("/") ? reference : base + "/" + reference
        }
        return Kubeconfig(
            server: server,
            certificateAuthority: try file(cluster, "certificate-authority", name: "ca.crt"),
            clientCertificate: try file(user, "client-certificate", name: "client.crt"),
            clientKey: try file(user, "client-key", name: "client.key"),
            token: user["token"] as? String,
            tokenFile: (user["tokenFile"] as? String).flatMap { $0.isEmpty ? nil : $0.hasPrefix("/") ? $0 : base + "/" + $0 },
            insecureSkipTLSVerify: cluster["insecure-skip-tls-verify"] as? Bool ?? false)
    }
}

extension Kubeconfig {
    /// Why Yams cannot turn `node` into dictionaries and arrays safely: a mapping key that is
    /// not a scalar (its constructor force-unwraps the key as a string), or more than `budget`
    /// nodes once aliases are followed (it constructs an alias's node each time it occurs, so a
    /// billion-laughs file would take exponential time and memory). Nil when neither.
    static func constructionProblem(_ node: Yams.Node, budget: Int) -> String? {
        var remaining = budget
        var pending = [node]
        while let next = pending.popLast() {
            remaining -= 1
            guard remaining >= 0 else { return "YAML aliases expand it to more than \(budget) nodes" }
            switch next {
            case .scalar, .alias:
                continue
            case let .mapping(mapping):
                for (key, value) in mapping {
                    guard key.scalar != nil else { return "a mapping key is not a string\(key.mark.map { " (line \($0.line))" } ?? "")" }
                    pending.append(key)
                    pending.append(value)
                }
            case let .sequence(sequence):
                pending.append(contentsOf: sequence)
            }
        }
        return nil
    }
}

public struct KubeconfigError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var field: String
    public var detail: String
    public var description: String { "kubeconfig \(path)\(field.isEmpty ? "" : ": \(field)"): \(detail)" }
}
