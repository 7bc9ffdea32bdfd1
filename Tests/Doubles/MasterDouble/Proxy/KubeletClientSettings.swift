/// How the double reaches nodes for pods/log, pods/exec, pods/attach, pods/portforward and
/// nodes/proxy, as kube-apiserver's `--kubelet-*` flags say (REFERENCE 8).
public struct KubeletClientSettings: Sendable, Equatable {
    /// `--kubelet-client-certificate` / `--kubelet-client-key`: PEM files the double presents.
    public var certificateFile: String?
    public var keyFile: String?
    /// `--kubelet-certificate-authority`: when nil the node's serving certificate is not checked.
    public var caFile: String?
    /// `--kubelet-preferred-address-types`: the first Node address of the first of these types
    /// that the node lists is dialled.
    public var preferredAddressTypes: [String]
    /// Whole-request limit for requests that are not streams (nodes/proxy, logs without follow).
    public var timeout: Duration

    public static let defaultAddressTypes = ["Hostname", "InternalDNS", "InternalIP", "ExternalDNS", "ExternalIP"]

    public init(
        certificateFile: String? = nil, keyFile: String? = nil, caFile: String? = nil,
        preferredAddressTypes: [String] = KubeletClientSettings.defaultAddressTypes, timeout: Duration = .seconds(30)
    ) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.caFile = caFile
        self.preferredAddressTypes = preferredAddressTypes
        self.timeout = timeout
    }
}
