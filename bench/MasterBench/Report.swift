import Foundation
import MasterDouble

/// The table (figure | baseline | agent | target) and the notes behind it.
struct Report {
    let bench: Bench

    var text: String {
        var out: [String] = []
        let options = bench.options
        var rows: [(String, String, String, String)] = []
        func verdict(_ ok: Bool) -> String { ok ? "ok" : "MISS" }
        func mb(_ kb: Int) -> String { String(format: "%.1f MB", Double(kb) / 1024) }
        func msText(_ value: Double?) -> String { value.map { String(format: "%.1f ms", $0) } ?? "-" }

        // 1. watch-to-running
        let rounds = bench.rounds
        let baseline = median(rounds.map(\.baseline.ms))
        let agent = median(rounds.map(\.agentMs))
        let pairwise = median(rounds.map { $0.agentMs - $0.baseline.ms })
        if let baseline, let agent {
            let added = agent - baseline
            rows.append((
                "watch-to-running, 1 pod, median of \(rounds.count)", msText(baseline), msText(agent),
                String(format: "%+.1f ms added (< 100 ms) %@", added, verdict(added < 100))))
        }

        // 2. requests per minute
        if let rate = bench.rate {
            let scaled = rate.seconds < 59 ? String(format: ", %.0f s scaled to 1 min", rate.seconds) : ""
            rows.append((
                "master requests/min, \(rate.pods) pods steady\(scaled)", "-", String(format: "%.1f", rate.perMinute),
                "watch + node status/lease only: \(verdict(rate.unexpected.isEmpty))"))
            rows.append((
                "  of which per pod (pods*, events)", "-", String(format: "%.1f", Double(rate.perPod.count) * 60 / rate.seconds),
                "0 (no per-pod polling) \(verdict(rate.perPod.isEmpty))"))
        }

        // 3. memory and CPU
        if let idle = bench.idle {
            let quick = options.quick ? " (quick)" : ""
            rows.append((
                "agent RSS, \(idle.pods) pods Running (VmRSS)\(quick)", "-", mb(idle.memory.rssKB),
                "< 40 MB \(verdict(idle.memory.rssKB < 40 * 1024))"))
            rows.append(("  RssAnon + RssFile", "-", "\(mb(idle.memory.anonKB)) + \(mb(idle.memory.fileKB))", "info"))
            rows.append((
                String(format: "agent idle CPU, %d pods, %.0f s", idle.pods, idle.seconds), "-",
                String(format: "%.2f %%", idle.cpuPercent), "< 1% of a core (pod-start's) \(verdict(idle.cpuPercent < 1))"))
        }

        let header = ("figure", "baseline", "agent", "target")
        let all = [header] + rows
        let w0 = all.map(\.0.count).max() ?? 0
        let w1 = all.map(\.1.count).max() ?? 0
        let w2 = all.map(\.2.count).max() ?? 0
        func line(_ r: (String, String, String, String)) -> String {
            r.0.padding(toLength: w0, withPad: " ", startingAt: 0) + " | " + String(repeating: " ", count: w1 - r.1.count) + r.1
                + " | " + String(repeating: " ", count: w2 - r.2.count) + r.2 + " | " + r.3
        }
        out.append("")
        out.append(line(header))
        out.append([w0, w1, w2, 12].map { String(repeating: "-", count: $0) }.joined(separator: "-+-"))
        out.append(contentsOf: rows.map(line))
        out.append("")

        // request breakdown
        if let rate = bench.rate {
            out.append(String(format: "requests to the master in the %.0f s steady window with %d pods (per minute):", rate.seconds, rate.pods))
            for (kind, count) in rate.breakdown {
                out.append("  " + kind.padding(toLength: 24, withPad: " ", startingAt: 0)
                    + String(format: " %4d in window  %6.1f /min", count, Double(count) * 60 / rate.seconds))
            }
            if rate.records.isEmpty { out.append("  (none)") }
            out.append("  watch streams open at start/end of the window: \(rate.openWatchesStart)/\(rate.openWatchesEnd) (long-lived; a watch is counted when opened)")
            if !rate.unexpected.isEmpty {
                out.append("  NOT node traffic: " + rate.unexpected.prefix(5).map { "\($0.method) \($0.path)" }.joined(separator: ", "))
            }
        }
        if let idle = bench.idle {
            let r = idle.requests
            out.append(String(format: "  same during the %.0f s idle window with %d pods: %.1f /min (", r.seconds, r.pods, r.perMinute)
                + r.breakdown.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + ")"
                + (r.unexpected.isEmpty ? "" : " NOT node traffic: \(r.unexpected.count)"))
        }

        // notes
        out.append("notes:")
        out.append("  watch-to-running: pod created in the double (store write, as kubectl create + scheduler binding) until the")
        out.append("   double's copy shows status.phase Running and the container running (store polled every 5 ms); baseline: the")
        out.append("   same infra (\(infraImage)) + app containers via the Docker API (create/start/inspect infra, create/start app).")
        if let pairwise {
            out.append(String(format: "  added latency, median of per-round differences: %+.1f ms", pairwise))
        }
        out.append("  rounds (ms): baseline " + rounds.map { String(format: "%.0f", $0.baseline.ms) }.joined(separator: ", ")
            + "; agent " + rounds.map { String(format: "%.0f", $0.agentMs) }.joined(separator: ", ")
            + (bench.warmup.map { String(format: " (warm-up, not counted: %.0f / %.0f)", $0.baseline, $0.agent) } ?? ""))
        func med(_ pick: (SingleRound) -> Int64?, from start: (SingleRound) -> Int64 = { $0.createdNs }) -> String {
            median(rounds.compactMap { r in pick(r).map { toMs($0 - start(r)) } }).map { String(format: "%.0f", $0) } ?? "-"
        }
        out.append("  agent timeline, median ms after the create: first agent log line \(med { $0.firstLog }), infra create (engine) "
            + "\(med { $0.infraCreate }), infra start (engine) "
            + "\(med { $0.infraStart }), app start (engine) \(med { $0.appStart }), 'pod Running' logged \(med { $0.logRunning }),")
        out.append("   Running status write received by the double \(med { $0.runningPatchNs }), seen by the poll \(med { $0.seenNs }); "
            + "status writes per pod start: " + rounds.map { String($0.statusWrites) }.joined(separator: ","))
        out.append("  baseline timeline, median ms after the first request: infra create (engine) "
            + "\(med({ $0.baselineInfraCreate }, from: { $0.baseline.startNs })), infra start (engine) "
            + "\(med({ $0.baselineInfraStart }, from: { $0.baseline.startNs })), app start (engine) "
            + "\(med({ $0.baselineAppStart }, from: { $0.baseline.startNs })), start call returned "
            + "\(med({ $0.baseline.endNs }, from: { $0.baseline.startNs }))")
        if let s = bench.steadyStart {
            out.append(String(format: "  %d pods created at once: all Running in the double after %.0f ms (last app start %@ ms)",
                              options.steadyPods, s.ms, s.engineMs.map { String(format: "%.0f", $0) } ?? "-"))
        }
        if let m = bench.manyStart {
            out.append(String(format: "  %d more pods created at once: all Running in the double after %.1f s (last app start %@ s)",
                              m.pods, m.ms / 1000, m.engineMs.map { String(format: "%.1f", $0 / 1000) } ?? "-"))
        }
        if let e = bench.memoryEmpty { out.append("  agent memory, 0 pods: \(e.summary)") }
        if let s = bench.memorySteady { out.append("  agent memory, \(options.steadyPods) pods: \(s.summary)") }
        if let idle = bench.idle {
            out.append("  agent memory, \(idle.pods) pods: \(idle.memory.summary); VmRSS max in the idle window \(mb(idle.rssMaxKB))")
            out.append("  RssFile by mapped file: " + idle.files.prefix(5).map {
                "\(($0.path as NSString).lastPathComponent) \(mb($0.kb))"
            }.joined(separator: ", "))
        }
        if options.quick { out.append("  BENCH_QUICK=1: \(options.maxPods) pods instead of 110, shorter windows") }
        out.append("  the double runs inside this benchmark's process on the same 2 cores as the agent and dockerd")
        return out.joined(separator: "\n")
    }
}
