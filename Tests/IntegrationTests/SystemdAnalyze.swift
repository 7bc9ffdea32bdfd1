import Foundation
import TestSupport

/// `systemd-analyze verify` of units as an operator installs them: a directory holding the
/// units and their `NAME.d/` drop-ins is the unit search path, so drop-ins are read too.
/// Unknown keys and sections are only warnings for systemd (exit status 0), so every line it
/// prints about our files counts as a problem.
enum SystemdAnalyze {
    static let executable = "/usr/bin/systemd-analyze"

    /// The problems systemd-analyze reports for `units` (file names in `directory`); empty when
    /// they verify cleanly.
    static func verify(directory: String, units: [String]) async throws -> [String] {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw TestEnvironmentError("\(executable) is missing: run scripts/install-deps.sh (package systemd)")
        }
        let result = try await HostCommand.run(
            "/usr/bin/env", ["SYSTEMD_UNIT_PATH=\(directory):", executable, "verify"] + units.map { directory + "/" + $0 })
        var problems = (result.output + result.errors).split(separator: "\n").map(String.init)
            .filter { line in line.contains(directory) || units.contains { line.contains($0) } }
        if !result.succeeded { problems.append("systemd-analyze verify exited \(result.status): \(result.errors)") }
        return problems
    }

    /// `unit` with ExecStart's `/usr/local/bin/clc-node` replaced by `binary`: verify checks that
    /// ExecStart's program exists.
    static func render(unit: String, binary: String) -> String {
        unit.replacingOccurrences(of: "/usr/local/bin/clc-node", with: binary)
    }
}

/// Reads a systemd EnvironmentFile as systemd does for the lines we write: `KEY=VALUE`, comments
/// starting with `#` or `;`, blank lines, values optionally in double or single quotes.
enum EnvironmentFileText {
    struct Line: Equatable {
        var key: String
        var value: String
        /// A `#KEY=value` line: documented, not set.
        var commented: Bool
    }

    /// Every `KEY=value` line, set or commented out.
    static func lines(_ text: String) -> [Line] {
        text.split(separator: "\n").compactMap { raw in
            var line = raw.trimmingCharacters(in: .whitespaces)
            var commented = false
            if line.hasPrefix("#") {
                commented = true
                line.removeFirst()
            }
            guard let equals = line.firstIndex(of: "=") else { return nil }
            let key = String(line[..<equals])
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), key.uppercased() == key else { return nil }
            var value = String(line[line.index(after: equals)...])
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            return Line(key: key, value: value, commented: commented)
        }
    }

    /// Lines neither blank, nor comments, nor `KEY=value`: systemd would ignore them with a warning.
    static func malformed(_ text: String) -> [String] {
        text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { line in
            !line.isEmpty && !line.hasPrefix("#") && !line.hasPrefix(";") && Self.lines(line).isEmpty
        }
    }
}
