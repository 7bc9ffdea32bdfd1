/// The three probes kubelet runs per container.
public enum ProbeKind: String, Sendable, Hashable, CaseIterable {
    case liveness
    case readiness
    case startup

    /// What a container counts as before its first result: alive, not ready; startup is
    /// unknown until its threshold is reached either way.
    public var initialResult: Bool? {
        switch self {
        case .liveness: true
        case .readiness: false
        case .startup: nil
        }
    }

    /// `livenessProbe`, `readinessProbe`, `startupProbe`.
    public var fieldName: String { "\(rawValue)Probe" }
}
