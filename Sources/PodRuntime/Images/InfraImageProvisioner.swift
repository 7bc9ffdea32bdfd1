import DockerEngine
import Foundation
import Logging

/// Makes sure the infra ("pause") image exists, building it when it does not: a root
/// filesystem holding one static program (``PauseProgram``, 488 bytes), imported straight into
/// the engine. No registry, base image or build tool is involved.
public actor InfraImageProvisioner {
    private let engine: any DockerEngine
    private let logger: Logger
    private var ready: Set<String> = []

    public init(engine: any DockerEngine, logger: Logger) {
        self.engine = engine
        self.logger = logger
    }

    /// Ensures `reference` exists in the engine.
    /// - Throws: ``DockerError`` when it is missing and cannot be imported.
    public func ensure(_ reference: String) async throws {
        if ready.contains(reference) { return }
        if try await engine.inspectImage(name: reference) != nil {
            ready.insert(reference)
            return
        }
        var archive = TarArchive()
        archive.addFile("pause", contents: PauseProgram.bytes, mode: 0o755)
        let started = ContinuousClock.now
        try await engine.importImage(
            tarball: archive.finished(), reference: reference,
            changes: ["CMD [\"/pause\"]", "LABEL io.clc-node.role=infra"])
        logger.info("built infra image", metadata: ["image": "\(reference)", "duration": "\(ContinuousClock.now - started)"])
        ready.insert(reference)
    }
}

