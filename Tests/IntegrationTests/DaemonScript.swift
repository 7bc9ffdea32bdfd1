import Foundation
import TestSupport

/// Runs a script that leaves a daemon behind (scripts/netns-nodes.sh's dockerds, scripts/etcd.sh's
/// etcd) with its output in files, waited for with waitpid on a dispatch thread.
/// Not ``HostCommand``: it reads pipes to their end, and a daemon the script leaves running keeps
/// them open even with its own output redirected (`bash -c 'setsid sleep 30 >/dev/null 2>&1 &'`
/// took 30 s through it), so the call would never return.
enum DaemonScript {
    /// - Parameters:
    ///   - script: the path of a bash script.
    ///   - environment: `NAME=value` assignments added to the test's environment.
    /// - Returns: how it ended, whatever its status.
    static func run(_ script: String, _ arguments: [String], environment: [String] = []) async throws -> HostCommand.Result {
        let directory = try TestEnvironment.temporaryDirectory("clc-daemon-script")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let command = ["/usr/bin/env"] + environment + ["/bin/bash", "-c", "exec \"$@\" >\(directory)/out 2>\(directory)/err </dev/null", "bash", "/bin/bash", script] + arguments
        let clock = ContinuousClock()
        let started = clock.now
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                var pid: pid_t = 0
                let argv = command.map { strdup($0) } + [nil]
                defer { argv.forEach { free($0) } }
                let spawned = posix_spawn(&pid, command[0], nil, nil, argv, environ)
                guard spawned == 0 else {
                    continuation.resume(throwing: TestEnvironmentError("cannot run \(script): errno \(spawned)"))
                    return
                }
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                continuation.resume(returning: (status >> 8) & 0xff)
            }
        }
        let output = (try? String(contentsOfFile: directory + "/out", encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: directory + "/err", encoding: .utf8)) ?? ""
        return HostCommand.Result(
            status: status, output: output, errors: errors, elapsed: clock.now - started,
            command: ([(script as NSString).lastPathComponent] + arguments).joined(separator: " "))
    }
}
