import MasterClient

/// A kubeconfig file (`--kubeconfig`), loaded as the agent loads it at start: YAML, the current
/// context's cluster and user, inline credentials written to the credentials directory.
enum KubeconfigFuzz {
    static func run(_ bytes: UnsafeRawBufferPointer) {
        let path = FuzzScratch.write(bytes, to: "kubeconfig/config")
        _ = try? Kubeconfig.load(path: path, credentialsDirectory: FuzzScratch.directory + "/credentials")
    }
}
