import Foundation
import Testing

@testable import DockerEngine

@Suite("The exec time-out kill only kills a process of the container")
struct ExecKillTests {
    @Test("a host process whose PID an exec once had is not killed: its cgroup does not name the container")
    func reusedPIDSpared() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["30"]
        try process.run()
        defer { process.terminate() }
        DockerClient.killExecProcess(pid: process.processIdentifier, containerID: String(repeating: "a", count: 64))
        #expect(process.isRunning)
    }
}
