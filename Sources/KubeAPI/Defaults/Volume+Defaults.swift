extension Volume {
    /// The file mode secret, configMap, downwardAPI and projected volumes default to: 0644.
    public static let defaultMode: Int32 = 0o644
    /// A projected service account token's default life: one hour.
    public static let defaultTokenExpirationSeconds: Int64 = 3600

    /// The volume with the API server's defaults: `defaultMode` 0644 for the four file-writing
    /// sources, `expirationSeconds` 3600 for tokens, `apiVersion` v1 for field references.
    public func withDefaults() -> Volume {
        var volume = self
        if volume.secret != nil, volume.secret?.defaultMode == nil { volume.secret?.defaultMode = Self.defaultMode }
        if volume.configMap != nil, volume.configMap?.defaultMode == nil { volume.configMap?.defaultMode = Self.defaultMode }
        if var downwardAPI = volume.downwardAPI {
            if downwardAPI.defaultMode == nil { downwardAPI.defaultMode = Self.defaultMode }
            downwardAPI.items = downwardAPI.items?.map { $0.withDefaults() }
            volume.downwardAPI = downwardAPI
        }
        if var projected = volume.projected {
            if projected.defaultMode == nil { projected.defaultMode = Self.defaultMode }
            projected.sources = projected.sources?.map { source in
                var source = source
                if source.serviceAccountToken != nil, source.serviceAccountToken?.expirationSeconds == nil {
                    source.serviceAccountToken?.expirationSeconds = Self.defaultTokenExpirationSeconds
                }
                if var downwardAPI = source.downwardAPI {
                    downwardAPI.items = downwardAPI.items?.map { $0.withDefaults() }
                    source.downwardAPI = downwardAPI
                }
                return source
            }
            volume.projected = projected
        }
        return volume
    }
}

extension DownwardAPIVolumeFile {
    func withDefaults() -> DownwardAPIVolumeFile {
        var file = self
        if file.fieldRef != nil, file.fieldRef?.apiVersion?.isEmpty ?? true { file.fieldRef?.apiVersion = "v1" }
        return file
    }
}
