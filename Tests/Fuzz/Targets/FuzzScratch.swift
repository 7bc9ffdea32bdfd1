import Foundation

/// A private directory on a memory file system for the targets whose parser reads a file (the
/// manifest directory's scanner, the kubeconfig loader): made once per process, removed at exit.
enum FuzzScratch {
    static let directory: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        var template = Array("\(base)/clc-fuzz.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { fatalError("clc-fuzz: cannot make a scratch directory in \(base)") }
        let path = String(cString: made)
        atexit { try? FileManager.default.removeItem(atPath: FuzzScratch.directory) }
        return path
    }()

    /// Writes `bytes` to `name` under the scratch directory (made first when missing).
    static func write(_ bytes: UnsafeRawBufferPointer, to name: String) -> String {
        let path = directory + "/" + name
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            fatalError("clc-fuzz: cannot write \(path)")
        }
        return path
    }
}
