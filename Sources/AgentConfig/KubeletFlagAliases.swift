/// kubelet's flag names for what clc-node calls otherwise, rewritten to clc-node's before the
/// command line is parsed (and before `CLC_NODE_*` variables are added, so that a kubelet name
/// on the command line still wins over the environment).
public enum KubeletFlagAliases {
    /// kubelet's name -> clc-node's, same value.
    public static let renamed: [String: String] = [
        "pod-manifest-path": "manifest-dir",
        "hostname-override": "node-name",
        "root-dir": "state-dir",
        "pod-infra-container-image": "pod-infra-image",
        // kubelet 1.x before kubeconfig: the master's URL.
        "api-servers": "master",
        "docker-endpoint": "docker-socket",
    ]
    /// kubelet's name -> clc-node's, a Go duration turned into whole seconds.
    public static let durations: [String: String] = [
        "sync-frequency": "resync-interval",
        "node-status-update-frequency": "node-status-interval",
    ]

    /// A kubelet flag whose value clc-node cannot take.
    public struct AliasError: Error, Sendable, Hashable, CustomStringConvertible {
        public var flag: String
        public var value: String
        public var detail: String
        public var description: String { "--\(flag): \"\(value)\" \(detail)" }
    }

    /// klog's verbosity as a log level: 0-2 (kubelet's usual 2 included) info, 3-4 debug,
    /// 5 and more trace.
    public static func logLevel(verbosity: Int) -> String {
        switch verbosity {
        case ..<3: "info"
        case 3...4: "debug"
        default: "trace"
        }
    }

    /// `arguments` of `clc-node run` with kubelet's names rewritten; other commands unchanged.
    /// - Throws: ``AliasError`` for a `-v` that is no number or a duration that is none.
    public static func rewrite(_ arguments: [String]) throws(AliasError) -> [String] {
        guard arguments.first == "run" else { return arguments }
        var result = [arguments[0]]
        var index = 1
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                result.append(contentsOf: arguments[(index - 1)...])
                break
            }
            guard let (name, inlineValue) = split(argument) else {
                result.append(argument)
                continue
            }
            let isKnown = renamed[name] != nil || durations[name] != nil || name == "v"
            guard isKnown else {
                result.append(argument)
                continue
            }
            var value = inlineValue
            if value == nil, index < arguments.count {
                value = arguments[index]
                index += 1
            }
            guard let value else {
                // No value: left for ArgumentParser to report under clc-node's name.
                result.append("--" + (renamed[name] ?? durations[name] ?? "log-level"))
                continue
            }
            if let target = renamed[name] {
                var converted = value
                if name == "docker-endpoint" {
                    guard value.hasPrefix("unix://") || value.hasPrefix("/") else {
                        throw AliasError(flag: name, value: value, detail: "is not a unix socket (unix:///var/run/docker.sock)")
                    }
                    converted = value.hasPrefix("unix://") ? String(value.dropFirst("unix://".count)) : value
                }
                if name == "api-servers" { converted = String(value.split(separator: ",").first ?? "") }
                result.append("--\(target)=\(converted)")
            } else if let target = durations[name] {
                guard let seconds = GoDuration.wholeSeconds(value) else {
                    throw AliasError(flag: name, value: value, detail: "is not a duration such as 1m0s")
                }
                result.append("--\(target)=\(seconds)")
            } else {
                guard let verbosity = Int(value), verbosity >= 0 else {
                    throw AliasError(flag: "v", value: value, detail: "is not a verbosity (0, 1, 2, ...)")
                }
                result.append("--log-level=\(logLevel(verbosity: verbosity))")
            }
        }
        return result
    }

    /// (name, value given with `=`) of a flag argument: `--name`, `--name=value`, and for `v`
    /// also pflag's shorthand `-v`, `-v=2`, `-v2`.
    static func split(_ argument: String) -> (String, String?)? {
        if argument.hasPrefix("--") {
            let body = argument.dropFirst(2)
            guard !body.isEmpty else { return nil }
            if let equals = body.firstIndex(of: "=") {
                return (String(body[..<equals]), String(body[body.index(after: equals)...]))
            }
            return (String(body), nil)
        }
        if argument.hasPrefix("-v") {
            let rest = argument.dropFirst(2)
            if rest.isEmpty { return ("v", nil) }
            if rest.hasPrefix("=") { return ("v", String(rest.dropFirst())) }
            if rest.allSatisfy(\.isNumber) { return ("v", String(rest)) }
        }
        return nil
    }
}
