import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Bearer tokens read from files (kubeconfig `tokenFile`, a projected service-account token),
/// read again whenever the file changes, as client-go's file token source does: a rotated
/// token is sent from the next request on, without a restart.
///
/// Each use costs one `stat(2)`; the file is read only when its device, inode, size or
/// modification time differ from the last read (an atomic writer's symlink swap changes the
/// inode). A file that cannot be read keeps the last token it gave, as client-go keeps its
/// cached token when a refresh fails.
public final class BearerTokenFile: Sendable {
    private struct Entry {
        var identity: [Int]
        var token: String?
    }

    /// One cache per process: endpoints are values, copied freely.
    public static let shared = BearerTokenFile()

    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    /// The token in `path`, whitespace trimmed; nil when the file was never readable or is empty.
    public func token(path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return entries.withLock { $0[path]?.token } }
        let identity = [
            Int(info.st_dev), Int(info.st_ino), Int(info.st_size), info.st_mtim.tv_sec, info.st_mtim.tv_nsec,
        ]
        if let entry = entries.withLock({ $0[path] }), entry.identity == identity { return entry.token }
        guard let data = FileManager.default.contents(atPath: path) else { return entries.withLock { $0[path]?.token } }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let token = text.isEmpty ? nil : text
        entries.withLock { $0[path] = Entry(identity: identity, token: token) }
        return token
    }
}
