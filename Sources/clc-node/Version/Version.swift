import ArgumentParser

/// `clc-node version`: what an operator pastes into a bug report.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the version, the git commit it was built from, the Swift version and the linked libraries' versions.")

    func run() throws {
        print(BuildInfo.current.rendered)
    }
}
