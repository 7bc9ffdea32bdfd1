extension ReplicationController {
    /// The owner reference the replication manager puts on the pods it creates or adopts
    /// (`NewControllerRef`: controller and blocking its owner's deletion).
    public var controllerReference: OwnerReference {
        OwnerReference(
            apiVersion: "v1", kind: "ReplicationController", name: metadata.name, uid: metadata.uid ?? "", controller: true,
            blockOwnerDeletion: true)
    }

    /// A new pod from the template, as the replication manager posts it: the template's labels,
    /// annotations and spec, `generateName` `<controller>-`, the controller's namespace (default
    /// when it has none) and its owner reference. Both the agent (a manifest's controllers) and the
    /// tests' master double build their pods here; nil when there is no template
    /// (`spec.template` is required).
    public func newPod() -> Pod? {
        guard let template = spec.template else { return nil }
        var pod = Pod(
            apiVersion: "v1", kind: "Pod",
            metadata: ObjectMeta(
                generateName: "\(metadata.name ?? "")-", namespace: metadata.namespace ?? "default",
                labels: template.metadata.labels, annotations: template.metadata.annotations),
            spec: template.spec)
        pod.metadata.ownerReferences = [controllerReference]
        return pod
    }
}
