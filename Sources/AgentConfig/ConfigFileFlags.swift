/// kubelet's precedence for `--config`: a flag given on the command line (or through its
/// `CLC_NODE_*` variable, which comes as a flag) wins over the file; the file wins over the
/// flags' defaults.
public enum ConfigFileFlags {
    /// The value of `--config` in `arguments` (the last one, as for any option).
    public static func configPath(in arguments: [String]) -> String? {
        value(of: "config", in: arguments)
    }

    /// `arguments` with `--flag=value` appended for each of the file's flags the arguments do
    /// not give.
    public static func merge(arguments: [String], file flags: [(flag: String, value: String)]) -> [String] {
        var merged = arguments
        for (flag, value) in flags where !isGiven(flag, in: arguments) {
            // An empty value goes as its own word: ArgumentParser reads `--flag=` as missing.
            merged.append(contentsOf: value.isEmpty ? ["--" + flag, value] : ["--\(flag)=\(value)"])
        }
        return merged
    }

    /// Whether `--name` or `--name=...` is among the arguments before a lone `--`.
    public static func isGiven(_ name: String, in arguments: [String]) -> Bool {
        let flag = "--" + name
        for argument in arguments {
            if argument == "--" { return false }
            if argument == flag || argument.hasPrefix(flag + "=") { return true }
        }
        return false
    }

    static func value(of name: String, in arguments: [String]) -> String? {
        let flag = "--" + name
        var found: String?
        var index = arguments.startIndex
        while index < arguments.endIndex, arguments[index] != "--" {
            let argument = arguments[index]
            if argument.hasPrefix(flag + "=") {
                found = String(argument.dropFirst(flag.count + 1))
            } else if argument == flag, index + 1 < arguments.endIndex {
                found = arguments[index + 1]
                index += 1
            }
            index += 1
        }
        return found
    }
}
