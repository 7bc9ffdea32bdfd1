/// A complete HTTP response.
public struct HTTPResponse: Sendable, Hashable {
    public var status: Int
    /// Header names lower-cased; the last value wins when a header repeats.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body as UTF-8 text, for error messages.
    public var text: String { String(decoding: body, as: UTF8.self) }
}
