import DockerEngine
import KubeAPI
import NodeStreaming
import PodRuntime

/// The containers behind exec, attach and port-forward requests, from the pod manager's
/// records; the infra container's PID is read from the engine at the time of the request.
struct NodeStreamTargets: StreamTargetResolver {
    let manager: PodManager
    let engine: any DockerEngine

    func container(namespace: String, pod: String, uid: String?, container name: String) async throws(StreamTargetError)
        -> StreamContainer
    {
        let record = try await self.record(namespace: namespace, pod: pod, uid: uid)
        let specs = record.pod.spec.containers + (record.pod.spec.initContainers ?? [])
        guard let spec = specs.first(where: { $0.name == name }) else {
            throw .containerNotFound(namespace: namespace, pod: pod, container: name)
        }
        guard let running = record.observed.instances(of: name).first(where: \.isRunning) else {
            throw .containerNotRunning(namespace: namespace, pod: pod, container: name)
        }
        return StreamContainer(
            containerID: running.id, podUID: record.observed.uid, stdin: spec.stdin ?? false, tty: spec.tty ?? false)
    }

    func podSandbox(namespace: String, pod: String, uid: String?) async throws(StreamTargetError) -> StreamPodSandbox {
        let record = try await self.record(namespace: namespace, pod: pod, uid: uid)
        guard let sandbox = record.observed.sandboxes.first(where: \.isRunning),
            let inspect = try? await engine.inspectContainer(id: sandbox.id), inspect.state.running, inspect.state.pid > 0
        else { throw .sandboxNotRunning(namespace: namespace, pod: pod) }
        return StreamPodSandbox(containerID: sandbox.id, podUID: record.observed.uid, pid: inspect.state.pid)
    }

    private func record(namespace: String, pod: String, uid: String?) async throws(StreamTargetError) -> PodManager.PodRecord {
        guard let record = await manager.record(namespace: namespace, name: pod, uid: uid) else {
            throw .podNotFound(namespace: namespace, pod: pod)
        }
        return record
    }
}
