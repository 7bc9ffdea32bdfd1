#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// Writes a volume's files so that a container never sees half an update, as kubelet's
/// `atomic_writer.go` (secret, configMap, downwardAPI and projected volumes):
///
/// ```
/// <target>/..2026_12_03_20_54_30.123456789   the payload (0755), files with their exact modes
/// <target>/..data -> ..2026_12_03_20_54_30.123456789
/// <target>/<name> -> ..data/<name>            one link per top-level entry of the payload
/// ```
///
/// An update writes a new timestamped directory, points `..data_tmp` at it and renames that
/// over `..data` (one atomic rename), adds links for new top-level names, drops links of names
/// gone from the payload, and removes the previous directory. An equal payload writes nothing.
public struct AtomicWriter: Sendable {
    public static let dataDirectoryName = "..data"
    static let newDataDirectoryName = "..data_tmp"

    public let targetDirectory: String
    private let now: @Sendable () -> Date

    public init(targetDirectory: String, now: @escaping @Sendable () -> Date = { Date() }) {
        self.targetDirectory = targetDirectory
        self.now = now
    }

    /// Makes the target directory hold exactly `payload`.
    /// - Returns: whether anything was written (false: the payload was already there).
    /// - Throws: ``AtomicWriterError`` naming the step; an invalid path is refused before any write.
    @discardableResult
    public func write(_ payload: [String: FileProjection]) throws(AtomicWriterError) -> Bool {
        for path in payload.keys {
            if let problem = Self.pathProblem(path) { throw fail("payload path \"\(path)\": \(problem)") }
        }
        try makeDirectory(targetDirectory, intermediate: true)
        let dataLink = "\(targetDirectory)/\(Self.dataDirectoryName)"
        let oldDirectoryName = readLink(dataLink)
        let oldPayloadPaths: Set<String>
        if let oldDirectoryName {
            let oldDirectory = "\(targetDirectory)/\(oldDirectoryName)"
            let current = Self.readPayload(in: oldDirectory)
            if current == payload {
                // Links may be missing after a crash between the rename and the links.
                try createUserLinks(for: payload)
                return false
            }
            oldPayloadPaths = Set(current.keys)
        } else {
            oldPayloadPaths = []
        }

        let newDirectoryName = try makeTimestampedDirectory()
        let newDirectory = "\(targetDirectory)/\(newDirectoryName)"
        do throws(AtomicWriterError) {
            for (path, file) in payload.sorted(by: { $0.key < $1.key }) {
                try writeFile(file, at: "\(newDirectory)/\(path)")
            }
            let temporaryLink = "\(targetDirectory)/\(Self.newDataDirectoryName)"
            unlink(temporaryLink)
            guard symlink(newDirectoryName, temporaryLink) == 0 else { throw fail("symlink \(temporaryLink): \(errnoText())") }
            guard rename(temporaryLink, dataLink) == 0 else { throw fail("rename \(temporaryLink) to \(dataLink): \(errnoText())") }
        } catch {
            try? FileManager.default.removeItem(atPath: newDirectory)
            throw error
        }
        try createUserLinks(for: payload)
        let newTopLevel = Set(payload.keys.map(Self.topLevelName))
        for stale in Set(oldPayloadPaths.map(Self.topLevelName)).subtracting(newTopLevel) {
            unlink("\(targetDirectory)/\(stale)")
        }
        if let oldDirectoryName, oldDirectoryName != newDirectoryName {
            try? FileManager.default.removeItem(atPath: "\(targetDirectory)/\(oldDirectoryName)")
        }
        return true
    }

    /// The payload path a user-visible path points at (`key` -> `..<time>/key`), for subPath
    /// mounts: their resolver refuses links, and the user-visible names are links by design.
    public static func payloadPath(volume: String, subPath: String) -> String {
        guard let directory = readLinkText("\(volume)/\(dataDirectoryName)"),
            !subPath.hasPrefix(".."), !directory.contains("/")
        else { return subPath }
        return "\(directory)/\(subPath)"
    }

    /// kubelet's `validatePath`: relative, no `..` element, not starting with `..`, elements of
    /// at most 255 bytes, at most 4096 bytes in all.
    public static func pathProblem(_ path: String) -> String? {
        if path.isEmpty { return "must not be empty" }
        if path.utf8.count > 4096 { return "must be less than or equal to 4096 characters" }
        if path.hasPrefix("/") { return "must be relative" }
        let elements = path.split(separator: "/", omittingEmptySubsequences: false)
        if elements.contains(where: { $0.utf8.count > 255 }) { return "each element must be less than or equal to 255 characters" }
        if elements.contains("..") { return "must not contain '..'" }
        if path.hasPrefix("..") { return "must not start with '..'" }
        return nil
    }

    /// The files under a payload directory, with their modes.
    static func readPayload(in directory: String) -> [String: FileProjection] {
        var result: [String: FileProjection] = [:]
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return result }
        while let relative = enumerator.nextObject() as? String {
            let path = "\(directory)/\(relative)"
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            result[relative] = FileProjection(data: Array(data), mode: Int32(info.st_mode & 0o7777))
        }
        return result
    }

    static func topLevelName(_ path: String) -> String {
        String(path.split(separator: "/", maxSplits: 1).first ?? Substring(path))
    }

    // MARK: Steps

    private func createUserLinks(for payload: [String: FileProjection]) throws(AtomicWriterError) {
        for name in Set(payload.keys.map(Self.topLevelName)).sorted() {
            let link = "\(targetDirectory)/\(name)"
            let target = "\(Self.dataDirectoryName)/\(name)"
            if readLink(link) == target { continue }
            unlink(link)
            guard symlink(target, link) == 0 else { throw fail("symlink \(link): \(errnoText())") }
        }
    }

    private func makeTimestampedDirectory() throws(AtomicWriterError) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy_MM_dd_HH_mm_ss"
        let stamp = formatter.string(from: now())
        for _ in 0..<8 {
            let name = "..\(stamp).\(UInt32.random(in: 0...UInt32.max))"
            let path = "\(targetDirectory)/\(name)"
            if mkdir(path, 0o755) == 0 {
                chmod(path, 0o755)  // not narrowed by the umask
                return name
            }
            if errno != EEXIST { throw fail("mkdir \(path): \(errnoText())") }
        }
        throw fail("no free name for a timestamped directory")
    }

    private func writeFile(_ file: FileProjection, at path: String) throws(AtomicWriterError) {
        let parent = (path as NSString).deletingLastPathComponent
        try makeDirectory(parent, intermediate: true)
        guard FileManager.default.createFile(atPath: path, contents: Data(file.data)) else {
            throw fail("cannot create \(path)")
        }
        guard chmod(path, mode_t(file.mode & 0o7777)) == 0 else { throw fail("chmod \(path): \(errnoText())") }
    }

    private func makeDirectory(_ path: String, intermediate: Bool) throws(AtomicWriterError) {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: intermediate, attributes: [.posixPermissions: 0o755])
        } catch {
            throw fail("mkdir \(path): \(error)")
        }
    }

    private func readLink(_ path: String) -> String? { Self.readLinkText(path) }

    static func readLinkText(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink(path, &buffer, 4096)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func fail(_ detail: String) -> AtomicWriterError {
        AtomicWriterError(directory: targetDirectory, detail: detail)
    }

    private func errnoText() -> String { String(cString: strerror(errno)) }
}
