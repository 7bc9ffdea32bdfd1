import KubeAPI

/// One probe of one container with Kubernetes' defaults applied: initialDelaySeconds 0,
/// periodSeconds 10, timeoutSeconds 1, successThreshold 1, failureThreshold 3.
public struct ProbeSettings: Sendable, Hashable {
    public var kind: ProbeKind
    public var handler: Handler
    public var initialDelay: Duration
    public var period: Duration
    public var timeout: Duration
    public var successThreshold: Int
    public var failureThreshold: Int

    public init(
        kind: ProbeKind, handler: Handler, initialDelay: Duration = .zero, period: Duration = .seconds(10),
        timeout: Duration = .seconds(1), successThreshold: Int = 1, failureThreshold: Int = 3
    ) {
        self.kind = kind
        self.handler = handler
        self.initialDelay = initialDelay
        self.period = period
        self.timeout = timeout
        self.successThreshold = successThreshold
        self.failureThreshold = failureThreshold
    }

    /// The probes a container declares.
    /// - Parameter index: the container's index, for field paths.
    /// - Throws: ``ProbeConfigError`` for a probe that cannot run.
    public static func all(for container: Container, index: Int) throws(ProbeConfigError) -> [ProbeSettings] {
        var result: [ProbeSettings] = []
        let probes: [(ProbeKind, Probe?)] = [
            (.startup, container.startupProbe), (.liveness, container.livenessProbe), (.readiness, container.readinessProbe),
        ]
        for (kind, probe) in probes {
            guard let probe else { continue }
            let field = "spec.containers[\(index)].\(kind.fieldName)"
            func number(_ value: Int32?, _ name: String, default fallback: Int32, minimum: Int32) throws(ProbeConfigError) -> Int {
                let value = value.flatMap { $0 == 0 && minimum > 0 ? nil : $0 } ?? fallback
                guard value >= minimum else {
                    throw ProbeConfigError(
                        container: container.name, field: "\(field).\(name)",
                        detail: "Invalid value: \(value): must be greater than or equal to \(minimum)")
                }
                return Int(value)
            }
            let handler = try Handler.resolve(probe, container: container, field: field)
            var successThreshold = try number(probe.successThreshold, "successThreshold", default: 1, minimum: 1)
            // Liveness and startup need exactly one success (the API server insists on it).
            if kind != .readiness { successThreshold = 1 }
            result.append(
                ProbeSettings(
                    kind: kind, handler: handler,
                    initialDelay: .seconds(try number(probe.initialDelaySeconds, "initialDelaySeconds", default: 0, minimum: 0)),
                    period: .seconds(try number(probe.periodSeconds, "periodSeconds", default: 10, minimum: 1)),
                    timeout: .seconds(try number(probe.timeoutSeconds, "timeoutSeconds", default: 1, minimum: 1)),
                    successThreshold: successThreshold,
                    failureThreshold: try number(probe.failureThreshold, "failureThreshold", default: 3, minimum: 1)))
        }
        return result
    }
}
