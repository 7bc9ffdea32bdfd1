import Foundation
import KubeAPI

/// Test inputs shared by the suites.
enum Fixtures {
    /// `/work/shared/guestbook` locally, `<checkout>/../shared/guestbook` in CI: the `shared`
    /// folder beside the package root. Symlinks are resolved first so that a package that links
    /// these sources in from elsewhere still finds the folder beside the real checkout.
    static let guestbookDirectory: URL = {
        let testFile = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        let packageRoot = testFile
            .deletingLastPathComponent()  // KubeAPITests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // package root
        return packageRoot.deletingLastPathComponent()
            .appendingPathComponent("shared")
            .appendingPathComponent("guestbook")
    }()

    static func guestbookManifest(_ name: String) throws -> [KubeObject] {
        let url = guestbookDirectory.appendingPathComponent(name)
        return try ManifestDecoder.decode(try Data(contentsOf: url), source: url.path)
    }

    static func decode(_ text: String, source: String = "test.yaml") throws -> [KubeObject] {
        try ManifestDecoder.decode(Data(text.utf8), source: source)
    }

    /// A valid, defaulted pod to mutate in validation cases.
    static let basePod = Pod(
        metadata: ObjectMeta(name: "redis-master-x", namespace: "default"),
        spec: PodSpec(containers: [
            Container(
                name: "master", image: "redis",
                ports: [ContainerPort(name: "redis", containerPort: 6379)],
                resources: ResourceRequirements(limits: ["memory": Quantity("500Mi"), "cpu": Quantity("500m")]))
        ])
    ).withDefaults()
}

extension KubeObject {
    var replicationController: ReplicationController? {
        if case .replicationController(let controller) = self { return controller }
        return nil
    }

    var service: Service? {
        if case .service(let service) = self { return service }
        return nil
    }

    var pod: Pod? {
        if case .pod(let pod) = self { return pod }
        return nil
    }
}

/// YAML lines `a: &a [LEAF x 10]`, `b: &b [*a x 10]`, ... with `levels` anchors (at most 9),
/// each ten of the one before: the last anchor stands for 10^levels leaves once expanded.
func aliasLadder(levels: Int, leaf: String, indent: String = "") -> String {
    let names = "abcdefghi".map(String.init)
    return (0..<levels).map { level in
        let element = level == 0 ? leaf : "*" + names[level - 1]
        return "\(indent)\(names[level]): &\(names[level]) [" + Array(repeating: element, count: 10).joined(separator: ",") + "]\n"
    }.joined()
}
