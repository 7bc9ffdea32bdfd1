import CurlHTTP
import Foundation

extension DockerClient {
    public func inspectImage(name: String) async throws(DockerError) -> ImageInspect? {
        let operation = "inspect image \(name)"
        let prefix = try await apiPrefix()
        let response = try await send(operation, HTTPRequest(path: prefix + "/images/\(name)/json"))
        if response.status == 404 { return nil }
        guard response.status == 200 else {
            throw .http(operation: operation, status: response.status, message: Self.message(in: response.body))
        }
        return try decode(ImageInspect.self, from: response, operation: operation)
    }

    public func pullImage(reference: String) async throws(DockerError) {
        let (repository, tag) = Self.split(reference: reference)
        var items = [("fromImage", repository)]
        if let tag { items.append(("tag", tag)) }
        let operation = "pull \(reference)"
        // A pull holds its connection for as long as the download (or the registry's time-out)
        // lasts: it must not take a thread from the quick calls.
        let response = try await call(operation, "POST", "/images/create" + Self.query(items), timeout: .seconds(600), slow: true)
        try Self.checkProgress(response.body, operation: operation)
    }

    public func inspectDistribution(reference: String) async throws(DockerError) {
        try await call("inspect distribution \(reference)", "GET", "/distribution/\(reference)/json", timeout: .seconds(180), slow: true)
    }

    public func importImage(tarball: [UInt8], reference: String, changes: [String]) async throws(DockerError) {
        let (repository, tag) = Self.split(reference: reference)
        var items = [("fromSrc", "-"), ("repo", repository), ("tag", tag ?? "latest")]
        for change in changes { items.append(("changes", change)) }
        let operation = "import image \(reference)"
        let prefix = try await apiPrefix()
        let request = HTTPRequest(
            method: "POST", path: prefix + "/images/create" + Self.query(items),
            headers: [HTTPHeader("Content-Type", "application/x-tar")], body: tarball, timeout: .seconds(120))
        let response = try await send(operation, request)
        guard response.status == 200 else {
            throw .http(operation: operation, status: response.status, message: Self.message(in: response.body))
        }
        try Self.checkProgress(response.body, operation: operation)
    }

    /// Pull and import answer 200 and then report failures inside their JSON progress lines.
    static func checkProgress(_ body: [UInt8], operation: String) throws(DockerError) {
        struct Progress: Decodable { var error: String? }
        var splitter = LineSplitter(stream: operation)
        var lines: [[UInt8]]
        do {
            lines = try splitter.append(body)
        } catch {
            throw .stream(operation: operation, message: "\(error)")
        }
        if let last = splitter.finish() { lines.append(last) }
        for line in lines {
            if let progress = try? JSONDecoder().decode(Progress.self, from: Data(line)), let error = progress.error {
                throw .stream(operation: operation, message: error)
            }
        }
    }

    /// Splits `host:5000/name:tag` into repository and tag; a digest stays with the repository.
    static func split(reference: String) -> (repository: String, tag: String?) {
        if reference.contains("@") { return (reference, nil) }
        let lastSlash = reference.lastIndex(of: "/") ?? reference.startIndex
        if let colon = reference[lastSlash...].lastIndex(of: ":") {
            return (String(reference[..<colon]), String(reference[reference.index(after: colon)...]))
        }
        return (reference, nil)
    }
}
