/// The resolver configuration of a pod or of the host: what a `resolv.conf` holds, as kubelet
/// reads and writes it.
public struct ResolvConf: Sendable, Hashable {
    public var nameservers: [String]
    public var searches: [String]
    /// `name` or `name:value`, each name once.
    public var options: [String]

    public init(nameservers: [String] = [], searches: [String] = [], options: [String] = []) {
        self.nameservers = nameservers
        self.searches = searches
        self.options = options
    }

    /// Reads a resolv.conf as kubelet's parseResolvConf: `nameserver` lines accumulate, the last
    /// `search` line wins (trailing dots dropped, "." ignored), `options` accumulate with a
    /// later option replacing one of the same name; `#` and `;` start comments.
    public init(parsing text: String) {
        self.init()
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") || line.hasPrefix(";") { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let keyword = fields.first else { continue }
            switch keyword {
            case "nameserver":
                if fields.count >= 2 { nameservers.append(fields[1]) }
            case "search":
                searches = fields.dropFirst().filter { $0 != "." }.map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 }
            case "options":
                options = Self.appending(options, fields.dropFirst())
            default:
                continue
            }
        }
    }

    /// The file as dockershim's rewriteResolvFile wrote it: `nameserver` lines, then one
    /// `search` and one `options` line when there are any.
    public var rendered: String {
        var lines = nameservers.map { "nameserver \($0)" }
        if !searches.isEmpty { lines.append("search " + searches.joined(separator: " ")) }
        if !options.isEmpty { lines.append("options " + options.joined(separator: " ")) }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    /// kubelet's appendOptions: a new option replaces the one of the same name. kubelet goes
    /// through a map (random order); here a replaced option keeps its place and new ones follow.
    static func appending(_ options: [String], _ new: some Sequence<String>) -> [String] {
        var result = options
        for option in new {
            let name = optionName(option)
            if let index = result.firstIndex(where: { optionName($0) == name }) {
                result[index] = option
            } else {
                result.append(option)
            }
        }
        return result
    }

    static func optionName(_ option: String) -> Substring {
        option.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    }
}
