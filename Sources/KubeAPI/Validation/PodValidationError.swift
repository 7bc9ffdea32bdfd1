/// One readable line naming the pod and every problem, for logs and events:
/// `pod default/web: spec.containers[0].image: Required value; spec.restartPolicy: ...`.
///
/// - Parameters:
///   - errors: The pod's validation errors, in order.
///   - pod: The pod they belong to; its namespace counts as "default" when unset.
public func describe(_ errors: [FieldError], pod: Pod) -> String {
    describe(errors, namespace: pod.metadata.namespace ?? "", name: pod.metadata.name ?? "")
}

func describe(_ errors: [FieldError], namespace: String, name: String) -> String {
    let problems = errors.map(\.description).joined(separator: "; ")
    return "pod \(namespace.isEmpty ? "default" : namespace)/\(name.isEmpty ? "<unnamed>" : name): \(problems)"
}

/// A pod that failed validation, carrying every problem so the message names them all.
public struct PodValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The pod's namespace ("default" when unset).
    public let namespace: String
    /// The pod's name ("" when unset).
    public let name: String
    public let errors: [FieldError]

    public init(pod: Pod, errors: [FieldError]) {
        self.namespace = pod.metadata.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        self.name = pod.metadata.name ?? ""
        self.errors = errors
    }

    public var description: String {
        describe(errors, namespace: namespace, name: name)
    }
}
