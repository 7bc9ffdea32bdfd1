import Foundation

/// Runs a host command to completion: the thin adapter behind the few host settings the proxy
/// makes outside its own table (Docker's DOCKER-USER chain). Behind a protocol so the decisions
/// are tested with a fake.
public protocol CommandRunner: Sendable {
    /// - Returns: the exit status and what the command wrote to stderr.
    func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stderr: String)
}

/// `CommandRunner` over `Process`, looking the executable up in the usual sbin and bin paths.
public struct ProcessCommandRunner: CommandRunner {
    public init() {}

    public func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        let candidates = ["/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"].map { $0 + executable }
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: executable])
        }
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
