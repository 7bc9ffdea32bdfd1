/// What one run of a probe or hook found, with the text kubelet would put in its event.
public enum ProbeOutcome: Sendable, Hashable {
    case success(String)
    case failure(String)

    public var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }

    public var message: String {
        switch self {
        case let .success(text), let .failure(text): text
        }
    }
}
