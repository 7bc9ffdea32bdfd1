/// One container of a pod (v1 `Container`), limited to the fields a node agent acts on.
public struct Container: Sendable, Hashable, Codable {
    public var name: String
    public var image: String?
    /// Replaces the image's entrypoint.
    public var command: [String]?
    /// Replaces the image's cmd.
    public var args: [String]?
    public var workingDir: String?
    public var ports: [ContainerPort]?
    /// Variables of whole configMaps and secrets, before `env` (which wins on a clash).
    public var envFrom: [EnvFromSource]?
    public var env: [EnvVar]?
    public var resources: ResourceRequirements?
    public var volumeMounts: [VolumeMount]?
    public var livenessProbe: Probe?
    public var readinessProbe: Probe?
    public var startupProbe: Probe?
    public var lifecycle: Lifecycle?
    public var terminationMessagePath: String?
    /// "Always", "IfNotPresent" or "Never"; defaulting derives it from the image tag.
    public var imagePullPolicy: PullPolicy?
    public var securityContext: SecurityContext?
    public var stdin: Bool?
    public var tty: Bool?

    public init(
        name: String,
        image: String? = nil,
        command: [String]? = nil,
        args: [String]? = nil,
        workingDir: String? = nil,
        ports: [ContainerPort]? = nil,
        envFrom: [EnvFromSource]? = nil,
        env: [EnvVar]? = nil,
        resources: ResourceRequirements? = nil,
        volumeMounts: [VolumeMount]? = nil,
        livenessProbe: Probe? = nil,
        readinessProbe: Probe? = nil,
        startupProbe: Probe? = nil,
        lifecycle: Lifecycle? = nil,
        terminationMessagePath: String? = nil,
        imagePullPolicy: PullPolicy? = nil,
        securityContext: SecurityContext? = nil,
        stdin: Bool? = nil,
        tty: Bool? = nil
    ) {
        self.name = name
        self.image = image
        self.command = command
        self.args = args
        self.workingDir = workingDir
        self.ports = ports
        self.envFrom = envFrom
        self.env = env
        self.resources = resources
        self.volumeMounts = volumeMounts
        self.livenessProbe = livenessProbe
        self.readinessProbe = readinessProbe
        self.startupProbe = startupProbe
        self.lifecycle = lifecycle
        self.terminationMessagePath = terminationMessagePath
        self.imagePullPolicy = imagePullPolicy
        self.securityContext = securityContext
        self.stdin = stdin
        self.tty = tty
    }
}
