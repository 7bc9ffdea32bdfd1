import DockerEngine
import Foundation
import KubeAPI

/// The container's effective security settings, container over pod, as kubelet's
/// `determineEffectiveSecurityContext` merges them.
struct EffectiveSecurity: Sendable, Hashable {
    var runAsUser: Int64?
    var runAsGroup: Int64?
    var runAsNonRoot: Bool

    init(container: SecurityContext?, pod: PodSecurityContext?) {
        runAsUser = container?.runAsUser ?? pod?.runAsUser
        runAsGroup = container?.runAsGroup ?? pod?.runAsGroup
        runAsNonRoot = container?.runAsNonRoot ?? pod?.runAsNonRoot ?? false
    }
}

extension ContainerConfigBuilder {
    /// Applies the pod's and the container's security context to the create request; every
    /// field present is honoured or refused by name.
    /// - Returns: the `User` of the create request (nil: the image's).
    func applySecurity(
        pod: Pod, index: Int, to host: inout HostConfig, fail: (String, String) -> ContainerConfigError
    ) throws(ContainerConfigError) -> String? {
        let spec = pod.spec.containers[index]
        let context = spec.securityContext
        let podContext = pod.spec.securityContext
        func failPod(_ field: String, _ detail: String) -> ContainerConfigError {
            ContainerConfigError(
                pod: "\(pod.metadata.namespace ?? "default")/\(pod.metadata.name ?? "")", container: spec.name, field: field, detail: detail)
        }
        let unsupported = "Forbidden: not supported by this node agent"
        if let field = podContext?.unsupportedFields.first { throw failPod("spec.securityContext.\(field)", unsupported) }
        if let field = context?.unsupportedFields.first { throw fail("securityContext.\(field)", unsupported) }
        if pod.spec.hostUsers == false {
            // Ignoring it would run the pod with less isolation than it asked for.
            throw failPod("spec.hostUsers", "\(unsupported): user namespaces are not provided; the pod would run in the node's user namespace")
        }
        if let procMount = context?.procMount, procMount != "Default" {
            throw fail("securityContext.procMount", "Unsupported value: \"\(procMount)\": supported values: \"Default\"")
        }

        let effective = EffectiveSecurity(container: context, pod: podContext)
        var user: String?
        if let uid = effective.runAsUser {
            if effective.runAsNonRoot, uid == 0 {
                throw fail("securityContext.runAsUser", "container's runAsUser breaks non-root policy (runAsNonRoot and runAsUser 0)")
            }
            user = String(uid)
            if let gid = effective.runAsGroup { user! += ":\(gid)" }
        } else if effective.runAsGroup != nil {
            let field = context?.runAsGroup != nil ? "spec.containers[\(index)].securityContext.runAsGroup" : "spec.securityContext.runAsGroup"
            throw failPod(field, "Forbidden: runAsGroup needs runAsUser (the engine cannot give a group without a user)")
        }

        var groups: [String] = (podContext?.supplementalGroups ?? []).map(String.init)
        if let fsGroup = podContext?.fsGroup, !groups.contains(String(fsGroup)) { groups.append(String(fsGroup)) }
        if !groups.isEmpty { host.groupAdd = groups }

        if let capabilities = context?.capabilities {
            for (kind, names) in [("add", capabilities.add), ("drop", capabilities.drop)] {
                for (position, name) in (names ?? []).enumerated()
                where name.isEmpty || !name.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }) {
                    throw fail("securityContext.capabilities.\(kind)[\(position)]", "Invalid value: \"\(name)\": not a capability name such as NET_ADMIN")
                }
            }
            host.capAdd = capabilities.add.flatMap { $0.isEmpty ? nil : $0 }
            host.capDrop = capabilities.drop.flatMap { $0.isEmpty ? nil : $0 }
        }
        if context?.readOnlyRootFilesystem == true { host.readonlyRootfs = true }

        var options: [String] = []
        if context?.allowPrivilegeEscalation == false { options.append("no-new-privileges") }
        let seccompField = context?.seccompProfile != nil
            ? "spec.containers[\(index)].securityContext.seccompProfile" : "spec.securityContext.seccompProfile"
        if let profile = context?.seccompProfile ?? podContext?.seccompProfile {
            switch profile.type {
            case "RuntimeDefault":
                break  // the engine's default profile, which Docker applies unless told otherwise
            case "Unconfined":
                options.append("seccomp=unconfined")
            case "Localhost":
                guard let name = profile.localhostProfile, !name.isEmpty, !name.hasPrefix("/"),
                    !name.split(separator: "/").contains("..")
                else {
                    throw failPod("\(seccompField).localhostProfile", "Invalid value: \"\(profile.localhostProfile ?? "")\": must be a relative path without '..'")
                }
                let path = "\(seccompProfileDirectory)/\(name)"
                guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                    throw failPod("\(seccompField).localhostProfile", "cannot read the seccomp profile \(path)")
                }
                options.append("seccomp=\(text)")
            default:
                throw failPod("\(seccompField).type", "Unsupported value: \"\(profile.type)\": supported values: \"Localhost\", \"RuntimeDefault\", \"Unconfined\"")
            }
        }
        if !options.isEmpty { host.securityOpt = options }
        // The node's process and IPC namespaces let a root container signal or read the node's
        // own daemons: as dangerous as privileged, so under the same flag.
        for (field, wanted) in [("hostNetwork", pod.spec.hostNetwork), ("hostPID", pod.spec.hostPID), ("hostIPC", pod.spec.hostIPC)]
        where wanted == true && !allowPrivileged {
            throw failPod("spec.\(field)", "Forbidden: sharing the node's namespaces is disallowed by cluster policy (the agent runs without --allow-privileged)")
        }
        if pod.spec.hostPID == true {
            host.pidMode = "host"
        } else if pod.spec.shareProcessNamespace == true, let sandbox = host.networkMode, sandbox.hasPrefix("container:") {
            // The infra container's process namespace, as kubelet's dockershim shared it.
            host.pidMode = sandbox
        }
        if pod.spec.hostIPC == true { host.ipcMode = "host" }
        return user
    }

    /// The node ports the infra container publishes: each container port with a `hostPort`,
    /// on its `hostIP` (every address when none).
    func hostPortBindings(_ pod: Pod) -> [String: [HostConfig.PortBinding]] {
        var bindings: [String: [HostConfig.PortBinding]] = [:]
        for container in pod.spec.containers {
            for port in container.ports ?? [] {
                guard let hostPort = port.hostPort, hostPort > 0 else { continue }
                let key = "\(port.containerPort)/\((port.protocol ?? "TCP").lowercased())"
                bindings[key, default: []].append(HostConfig.PortBinding(hostIP: port.hostIP ?? "", hostPort: String(hostPort)))
            }
        }
        return bindings
    }
}
