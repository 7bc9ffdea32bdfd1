extension ReplicationController {
    /// The controller as the API server would store it: one replica, selector and labels taken
    /// from the template's labels when unset, namespace `default`, and the template's pod spec
    /// defaulted.
    public func withDefaults() -> ReplicationController {
        var controller = self
        if controller.metadata.namespace?.isEmpty ?? true {
            controller.metadata.namespace = "default"
        }
        if controller.spec.replicas == nil { controller.spec.replicas = 1 }
        if let labels = controller.spec.template?.metadata.labels {
            if controller.spec.selector?.isEmpty ?? true { controller.spec.selector = labels }
            if controller.metadata.labels?.isEmpty ?? true { controller.metadata.labels = labels }
        }
        if let template = controller.spec.template {
            controller.spec.template?.spec = template.spec.withDefaults()
        }
        return controller
    }
}
