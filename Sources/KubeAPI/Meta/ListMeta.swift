/// Metadata of a list response; its `resourceVersion` is where a following watch starts.
public struct ListMeta: Sendable, Hashable, Codable {
    public var resourceVersion: String?
    /// Token for the next page of a chunked list.
    public var `continue`: String?

    public init(resourceVersion: String? = nil, `continue`: String? = nil) {
        self.resourceVersion = resourceVersion
        self.continue = `continue`
    }
}
