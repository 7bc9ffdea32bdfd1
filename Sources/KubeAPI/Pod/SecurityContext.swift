/// A container's security settings (v1 `SecurityContext`); where a field is also in the pod's
/// ``PodSecurityContext``, the container's wins.
///
/// Fields the agent does not honour are not dropped silently: their names are kept in
/// ``unsupportedFields`` and the container is refused naming them.
public struct SecurityContext: Sendable, Hashable, Codable {
    public var privileged: Bool?
    public var runAsUser: Int64?
    public var runAsGroup: Int64?
    public var runAsNonRoot: Bool?
    public var readOnlyRootFilesystem: Bool?
    /// False sets no_new_privs (Docker's `no-new-privileges`).
    public var allowPrivilegeEscalation: Bool?
    public var capabilities: Capabilities?
    public var seccompProfile: SeccompProfile?
    /// "Default" (masked /proc) or "Unmasked"; only "Default" is honoured.
    public var procMount: String?
    /// Names of fields present in the object that the agent cannot honour (seLinuxOptions,
    /// windowsOptions, appArmorProfile, ...). Not encoded.
    public var unsupportedFields: [String] = []

    public init(
        privileged: Bool? = nil, runAsUser: Int64? = nil, runAsGroup: Int64? = nil, runAsNonRoot: Bool? = nil,
        readOnlyRootFilesystem: Bool? = nil, allowPrivilegeEscalation: Bool? = nil, capabilities: Capabilities? = nil,
        seccompProfile: SeccompProfile? = nil, procMount: String? = nil
    ) {
        self.privileged = privileged
        self.runAsUser = runAsUser
        self.runAsGroup = runAsGroup
        self.runAsNonRoot = runAsNonRoot
        self.readOnlyRootFilesystem = readOnlyRootFilesystem
        self.allowPrivilegeEscalation = allowPrivilegeEscalation
        self.capabilities = capabilities
        self.seccompProfile = seccompProfile
        self.procMount = procMount
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case privileged, runAsUser, runAsGroup, runAsNonRoot, readOnlyRootFilesystem, allowPrivilegeEscalation
        case capabilities, seccompProfile, procMount
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        privileged = try container.decodeIfPresent(Bool.self, forKey: .privileged)
        runAsUser = try container.decodeIfPresent(Int64.self, forKey: .runAsUser)
        runAsGroup = try container.decodeIfPresent(Int64.self, forKey: .runAsGroup)
        runAsNonRoot = try container.decodeIfPresent(Bool.self, forKey: .runAsNonRoot)
        readOnlyRootFilesystem = try container.decodeIfPresent(Bool.self, forKey: .readOnlyRootFilesystem)
        allowPrivilegeEscalation = try container.decodeIfPresent(Bool.self, forKey: .allowPrivilegeEscalation)
        capabilities = try container.decodeIfPresent(Capabilities.self, forKey: .capabilities)
        seccompProfile = try container.decodeIfPresent(SeccompProfile.self, forKey: .seccompProfile)
        procMount = try container.decodeIfPresent(String.self, forKey: .procMount)
        unsupportedFields = try UnknownFields.names(in: decoder, known: CodingKeys.allCases.map(\.rawValue))
    }
}

/// The pod's security settings (v1 `PodSecurityContext`), the defaults of its containers'.
public struct PodSecurityContext: Sendable, Hashable, Codable {
    public var runAsUser: Int64?
    public var runAsGroup: Int64?
    public var runAsNonRoot: Bool?
    /// Groups every container's first process joins, besides its primary group.
    public var supplementalGroups: [Int64]?
    /// The group that owns the pod's emptyDir volumes (setgid), joined by every container.
    public var fsGroup: Int64?
    /// "Always" or "OnRootMismatch"; both give the same ownership on the agent's fresh volumes.
    public var fsGroupChangePolicy: String?
    public var seccompProfile: SeccompProfile?
    /// Names of fields present that the agent cannot honour (sysctls, seLinuxOptions, ...).
    public var unsupportedFields: [String] = []

    public init(
        runAsUser: Int64? = nil, runAsGroup: Int64? = nil, runAsNonRoot: Bool? = nil, supplementalGroups: [Int64]? = nil,
        fsGroup: Int64? = nil, fsGroupChangePolicy: String? = nil, seccompProfile: SeccompProfile? = nil
    ) {
        self.runAsUser = runAsUser
        self.runAsGroup = runAsGroup
        self.runAsNonRoot = runAsNonRoot
        self.supplementalGroups = supplementalGroups
        self.fsGroup = fsGroup
        self.fsGroupChangePolicy = fsGroupChangePolicy
        self.seccompProfile = seccompProfile
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case runAsUser, runAsGroup, runAsNonRoot, supplementalGroups, fsGroup, fsGroupChangePolicy, seccompProfile
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        runAsUser = try container.decodeIfPresent(Int64.self, forKey: .runAsUser)
        runAsGroup = try container.decodeIfPresent(Int64.self, forKey: .runAsGroup)
        runAsNonRoot = try container.decodeIfPresent(Bool.self, forKey: .runAsNonRoot)
        supplementalGroups = try container.decodeIfPresent([Int64].self, forKey: .supplementalGroups)
        fsGroup = try container.decodeIfPresent(Int64.self, forKey: .fsGroup)
        fsGroupChangePolicy = try container.decodeIfPresent(String.self, forKey: .fsGroupChangePolicy)
        seccompProfile = try container.decodeIfPresent(SeccompProfile.self, forKey: .seccompProfile)
        unsupportedFields = try UnknownFields.names(in: decoder, known: CodingKeys.allCases.map(\.rawValue))
    }
}

/// Capabilities added to and dropped from the engine's default set ("NET_ADMIN", "ALL").
public struct Capabilities: Sendable, Hashable, Codable {
    public var add: [String]?
    public var drop: [String]?

    public init(add: [String]? = nil, drop: [String]? = nil) {
        self.add = add
        self.drop = drop
    }
}

/// A seccomp profile: "RuntimeDefault", "Unconfined" or "Localhost" (with `localhostProfile`,
/// a path relative to the node's seccomp directory).
public struct SeccompProfile: Sendable, Hashable, Codable {
    public var type: String
    public var localhostProfile: String?

    public init(type: String, localhostProfile: String? = nil) {
        self.type = type
        self.localhostProfile = localhostProfile
    }
}

/// The keys of a JSON object that a type does not decode.
enum UnknownFields {
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Keys of the object at `decoder` outside `known` whose value is not null, sorted.
    static func names(in decoder: any Decoder, known: [String]) throws -> [String] {
        let container = try decoder.container(keyedBy: AnyKey.self)
        let known = Set(known)
        return try container.allKeys.filter { key in
            guard !known.contains(key.stringValue) else { return false }
            return !(try container.decodeNil(forKey: key))
        }.map(\.stringValue).sorted()
    }
}
