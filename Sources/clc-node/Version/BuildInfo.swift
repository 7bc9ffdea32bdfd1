import CBuildInfo

/// What this binary is: its version, the commit it was built from, the compiler, and the C
/// libraries it runs with.
struct BuildInfo: Sendable {
    var version: String
    var gitCommit: String
    var swiftVersion: String
    /// (library, version), in the order printed.
    var libraries: [(name: String, version: String)]

    static var current: BuildInfo {
        BuildInfo(
            version: CLCNode.version, gitCommit: String(cString: clc_build_git_commit()), swiftVersion: swiftVersion,
            libraries: [
                ("libcurl", String(cString: clc_curl_version()) + " (" + String(cString: clc_curl_ssl_version()) + ")"),
                ("zlib", String(cString: clc_zlib_version())),
                ("libnftnl", String(cString: clc_build_libnftnl_version()) + " (build time)"),
                ("libmnl", String(cString: clc_build_libmnl_version()) + " (build time)"),
                ("libsystemd", String(cString: clc_build_libsystemd_version()) + " (build time)"),
                ("BoringSSL", "vendored by swift-nio-ssl (version not exposed)"),
            ])
    }

    /// The compiler's language version, as far as `#if compiler` can tell.
    static var swiftVersion: String {
        #if compiler(>=6.5)
            "6.5 or later"
        #elseif compiler(>=6.4)
            "6.4"
        #elseif compiler(>=6.3)
            "6.3"
        #elseif compiler(>=6.2)
            "6.2"
        #elseif compiler(>=6.1)
            "6.1"
        #else
            "6.0"
        #endif
    }

    var rendered: String {
        var lines = ["clc-node \(version)", "git commit: \(gitCommit)", "swift: \(swiftVersion)"]
        lines += libraries.map { "\($0.name): \($0.version)" }
        return lines.joined(separator: "\n")
    }
}
