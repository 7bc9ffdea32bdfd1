import Foundation

/// The soak's figures as text, and whether they pass: the agent's VmRSS, open descriptors and
/// threads at the last sample within 10 % of the first sample after warm-up (cycle
/// `--sample-every`, 100 by default), no container of the agent and no table entry beyond the
/// baseline at the end, no failed cycle.
struct Report {
    let options: Options
    let samples: [Sample]
    let results: [CycleResult]
    let leftovers: Leftovers

    static let tolerance = 0.10

    /// (figure, first, last, ratio, ok): the issue's three figures; RssAnon (the heap, without
    /// the mapped binary and libraries) beside them is shown for information.
    var ratios: [(String, Double, Double, Double, Bool)] {
        guard samples.count >= 3, let first = samples.dropFirst().first, let last = samples.last else { return [] }
        return [
            ("VmRSS, MB", Double(first.rssKB) / 1024, Double(last.rssKB) / 1024),
            ("RssAnon, MB", Double(first.anonKB) / 1024, Double(last.anonKB) / 1024),
            ("open file descriptors", Double(first.descriptors), Double(last.descriptors)),
            ("threads", Double(first.threads), Double(last.threads)),
        ].map { name, a, b in
            let ratio = a > 0 ? b / a : .infinity
            return (name, a, b, ratio, name.hasPrefix("RssAnon") || ratio <= 1 + Self.tolerance)
        }
    }

    var failedCycles: [CycleResult] { results.filter { $0.failure != nil } }

    var passed: Bool {
        !ratios.isEmpty && ratios.allSatisfy(\.4) && leftovers.agentContainers.isEmpty && leftovers.tableEntries.isEmpty
            && failedCycles.isEmpty
    }

    var text: String {
        var lines: [String] = []
        lines.append("")
        lines.append(
            "soak: \(results.count) cycles (pod with HTTP liveness + exec readiness, NodePort service), "
                + "\(options.inFlight) in flight; agent \(options.agentBinary)")
        lines.append("cycle | VmRSS MB | RssAnon MB | fds | threads | agent CPU s | elapsed s | median cycle s")
        for s in samples {
            lines.append(
                String(
                    format: "%5d | %8.1f | %10.1f | %3d | %7d | %11.1f | %9.0f | %@", s.cycle, Double(s.rssKB) / 1024,
                    Double(s.anonKB) / 1024, s.descriptors, s.threads, s.cpuSeconds, s.elapsed,
                    s.medianCycle.map { String(format: "%.2f", $0) } ?? "-"))
        }
        if let first = samples.dropFirst().first, let last = samples.last {
            lines.append("")
            lines.append("cycle \(last.cycle) / cycle \(first.cycle) (flat within \(Int(Self.tolerance * 100)) %):")
        }
        for (name, a, b, ratio, ok) in ratios {
            lines.append(
                "  " + name.padding(toLength: 22, withPad: " ", startingAt: 0)
                    + String(format: " %8.1f -> %8.1f  ratio %.3f  %@", a, b, ratio, name.hasPrefix("RssAnon") ? "(information)" : ok ? "PASS" : "FAIL"))
        }
        if ratios.isEmpty { lines.append("  (too few samples for a ratio: need --cycles >= 2 x --sample-every)") }
        let ready = results.compactMap(\.readySeconds).sorted()
        let gone = results.compactMap(\.goneSeconds).sorted()
        if !ready.isEmpty && !gone.isEmpty {
            lines.append(
                String(
                    format: "cycle times: create -> Running+Ready+proxied median %.2f s (p99 %.2f); delete -> gone median %.2f s (p99 %.2f)",
                    ready[ready.count / 2], ready[min(ready.count - 1, ready.count * 99 / 100)], gone[gone.count / 2],
                    gone[min(gone.count - 1, gone.count * 99 / 100)]))
        }
        lines.append("")
        lines.append("left behind at the end:")
        lines.append(
            "  containers of the agent in the engine: \(leftovers.agentContainers.count)  "
                + (leftovers.agentContainers.isEmpty ? "PASS" : "FAIL: " + leftovers.agentContainers.prefix(10).joined(separator: ", "))
                + "  (engine total: \(leftovers.engineContainers))")
        lines.append(
            "  table ip \(proxyTable) entries beyond those before the first cycle: \(leftovers.tableEntries.count)  "
                + (leftovers.tableEntries.isEmpty ? "PASS" : "FAIL")
                + "  (before: \(leftovers.baselineEntries), after: \(leftovers.finalEntries) chains, sets, maps, elements, rules)")
        for entry in leftovers.tableEntries.prefix(20) { lines.append("    \(entry.prefix(200))") }
        lines.append("  soak pods / services still in the double: \(leftovers.soakPodsInDouble) / \(leftovers.soakServicesInDouble)")
        lines.append("  failed cycles: \(failedCycles.count)" + (failedCycles.isEmpty ? "" : "  FAIL"))
        for failed in failedCycles.prefix(10) { lines.append("    cycle \(failed.index): \(failed.failure ?? "")") }
        lines.append("")
        lines.append("soak: " + (passed ? "PASS" : "FAIL"))
        return lines.joined(separator: "\n")
    }
}
