import DockerEngine
import Foundation
import KubeAPI
import Logging

extension PodSyncer {
    /// Gives the pod kubelet's resolv.conf as dockershim did: the engine made the infra
    /// container's file, and it is rewritten in place once the container started; the pod's
    /// containers join its network and the engine mounts them the same file. Docker's own DNS
    /// settings are not used: on a user-defined network the engine would put its embedded
    /// server (127.0.0.11) there, and it drops the host's loopback servers.
    /// - Throws: ``ResolvConfError`` when the host's resolver file or the container's cannot
    ///   be read or written (the sandbox is then not used, as kubelet fails RunPodSandbox).
    func writeResolvConf(pod: Pod, sandbox: ContainerInspect, logger: Logger) throws(ResolvConfError) {
        let settings = dnsSettings
        var hostText: String?
        if !settings.resolvConfPath.isEmpty {
            do {
                hostText = try String(contentsOfFile: settings.resolvConfPath, encoding: .utf8)
            } catch {
                throw ResolvConfError(path: settings.resolvConfPath, operation: "read the host's resolver file (--resolv-conf)", detail: "\(error)")
            }
        }
        let plan = PodDNSPlanner(cluster: settings).plan(pod: pod, hostResolvConf: hostText)
        for event in plan.events {
            logger.warning("\(event.reason): \(event.message)")
            record(event)
        }
        // An engine that names no file (a fake, another runtime) keeps its own.
        // Nothing to say leaves the engine's file, as dockershim's rewriteResolvFile.
        guard let path = sandbox.resolvConfPath, !path.isEmpty, !plan.resolvConf.rendered.isEmpty else { return }
        try ResolvConfFile.rewrite(path: path, content: plan.resolvConf.rendered)
        logger.debug("wrote the pod's resolv.conf", metadata: ["file": "\(path)"])
    }
}
