import Subprocess

/// Runs a host command to completion: the thin adapter behind the few host settings the proxy
/// makes outside its own table (Docker's DOCKER-USER chain). Behind a protocol so the decisions
/// are tested with a fake.
public protocol CommandRunner: Sendable {
    /// - Returns: the exit status (128 + the signal's number when a signal ended it) and what the
    ///   command wrote to stderr.
    func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, stderr: String)
}

/// `CommandRunner` over swift-subprocess: the executable is looked up in the usual sbin and bin
/// directories (an agent started with a PATH without sbin still finds iptables), standard input
/// and output are empty, standard error is kept (up to 64 KiB). The wait is asynchronous: no
/// thread of Swift's cooperative pool blocks while iptables waits for the xtables lock.
public struct SpawnCommandRunner: CommandRunner {
    public static let searchPath = "/usr/sbin:/sbin:/usr/bin:/bin"

    public init() {}

    public func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, stderr: String) {
        let result = try await Subprocess.run(
            .name(executable), arguments: Arguments(arguments), environment: .inherit.updating(["PATH": Self.searchPath]),
            output: .discarded, error: .string(limit: 64 * 1024))
        let status: Int32
        switch result.terminationStatus {
        case .exited(let code): status = code
        case .signaled(let signal): status = 128 + signal
        }
        return (status, result.standardError)
    }
}
