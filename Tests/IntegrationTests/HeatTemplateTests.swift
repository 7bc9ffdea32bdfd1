import Foundation
import TestSupport
import Testing

/// The Heat path an operator boots minions with (systemd/heat): the HOT template, and the
/// user data it renders (systemd/heat/render.py resolves it as Heat does) checked with the tools
/// the minion itself uses: `cloud-init schema`, `systemd-analyze verify`, the agent's own check
/// of its env file, and bash's syntax check of the scripts.
@Suite("Heat template and cloud-config")
struct HeatTemplateTests {
    static let heatDirectory = TestEnvironment.repositoryRoot + "/systemd/heat"
    static let python = "/usr/bin/python3"

    /// A YAML file as JSON objects (python3-yaml; dates such as heat_template_version as text).
    static func yaml(_ path: String) async throws -> [String: Any] {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw TestEnvironmentError("\(python) is missing: run scripts/install-deps.sh (packages python3, python3-yaml)")
        }
        let json = try await HostCommand.check(
            python, ["-c", "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout, default=str)", path])
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    /// Renders the sample parameters into a fresh directory; returns it and the part files.
    static func render(environment: String = heatDirectory + "/sample-parameters.yaml") async throws -> (String, [String]) {
        let directory = try TestEnvironment.temporaryDirectory("clc-heat")
        let output = try await HostCommand.check(python, [heatDirectory + "/render.py", "-e", environment, "-o", directory])
        return (directory, output.split(separator: "\n").map(String.init))
    }

    /// The rendered cloud-config's `write_files`, path to content.
    static func writtenFiles(_ cloudConfig: String) async throws -> [String: String] {
        let document = try await yaml(cloudConfig)
        let files = try #require(document["write_files"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: files.compactMap { file in
            (file["path"] as? String).map { ($0, file["content"] as? String ?? "") }
        })
    }

    @Test("the template is HOT: version, the parameters the operator gives, known resource types, outputs")
    func templateShape() async throws {
        let template = try await Self.yaml(Self.heatDirectory + "/clc-node-minion.yaml")
        #expect(template["heat_template_version"] as? String == "2016-10-14")
        let parameters = try #require(template["parameters"] as? [String: [String: Any]])
        for name in [
            "master_url", "ca_cert", "client_cert", "client_key", "bearer_token", "etcd_endpoints", "etcd_prefix", "node_ip",
            "flannel_backend", "clc_node_url",
        ] {
            #expect(parameters[name]?["type"] as? String == "string", "parameter \(name) missing or not a string")
        }
        #expect(parameters["client_key"]?["hidden"] as? Bool == true, "the client key is hidden")
        let resources = try #require(template["resources"] as? [String: [String: Any]])
        let known: Set = [
            "OS::Heat::SoftwareConfig", "OS::Heat::MultipartMime", "OS::Heat::WaitCondition", "OS::Heat::WaitConditionHandle",
            "OS::Nova::Server", "OS::Neutron::Port",
        ]
        for (name, resource) in resources {
            #expect(known.contains(resource["type"] as? String ?? ""), "resource \(name) has type \(resource["type"] ?? "none")")
        }
        let mime = try #require(resources.values.first { $0["type"] as? String == "OS::Heat::MultipartMime" })
        let parts = try #require((mime["properties"] as? [String: Any])?["parts"] as? [[String: Any]])
        #expect(parts.count >= 2)
        for part in parts {
            let name = try #require((part["config"] as? [String: Any])?["get_resource"] as? String)
            #expect(resources[name]?["type"] as? String == "OS::Heat::SoftwareConfig", "part \(name) is no SoftwareConfig")
        }
        let server = try #require(resources.values.first { $0["type"] as? String == "OS::Nova::Server" })
        let userData = (server["properties"] as? [String: Any])?["user_data"] as? [String: Any]
        #expect(resources[userData?["get_resource"] as? String ?? ""]?["type"] as? String == "OS::Heat::MultipartMime")
        let outputs = try #require(template["outputs"] as? [String: [String: Any]])
        #expect(!outputs.isEmpty && outputs.values.allSatisfy { $0["value"] != nil })
    }

    @Test("the cloud-config rendered with the sample parameters passes cloud-init schema")
    func cloudConfigSchema() async throws {
        let cloudInit = "/usr/bin/cloud-init"
        guard FileManager.default.isExecutableFile(atPath: cloudInit) else {
            throw TestEnvironmentError("\(cloudInit) is missing: run scripts/install-deps.sh (package cloud-init)")
        }
        let (directory, parts) = try await Self.render()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cloudConfig = try #require(parts.first { $0.hasSuffix(".cloud-config") })
        let text = try String(contentsOfFile: cloudConfig, encoding: .utf8)
        #expect(text.hasPrefix("#cloud-config\n"))
        #expect(!text.contains("$MASTER_URL") && !text.contains("$WAIT_CURL") && !text.contains("$CA_CERT"), "a placeholder is left")
        let result = try await HostCommand.run(cloudInit, ["schema", "--config-file", cloudConfig])
        #expect(result.succeeded, "cloud-init schema: \(result.output) \(result.errors)")
        let runcmd = try #require(try await Self.yaml(cloudConfig)["runcmd"] as? [Any])
        #expect("\(runcmd)".contains("clc-node-bootstrap"))
    }

    @Test("the rendered unit and Docker drop-in are the shipped ones and pass systemd-analyze verify")
    func renderedUnitsVerify() async throws {
        let (directory, parts) = try await Self.render()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = try await Self.writtenFiles(try #require(parts.first { $0.hasSuffix(".cloud-config") }))
        let unit = try #require(files["/etc/systemd/system/clc-node.service"])
        let dropIn = try #require(files["/etc/systemd/system/docker.service.d/flannel.conf"])
        let shipped = TestEnvironment.repositoryRoot + "/systemd"
        #expect(unit == (try String(contentsOfFile: shipped + "/clc-node.service", encoding: .utf8)))
        #expect(dropIn == (try String(contentsOfFile: shipped + "/docker.service.d/flannel.conf", encoding: .utf8)))

        let units = directory + "/units"
        try FileManager.default.createDirectory(atPath: units + "/docker.service.d", withIntermediateDirectories: true)
        try SystemdAnalyze.render(unit: unit, binary: try TestEnvironment.agentBinary())
            .write(toFile: units + "/clc-node.service", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: "/lib/systemd/system/docker.service", toPath: units + "/docker.service")
        try dropIn.write(toFile: units + "/docker.service.d/flannel.conf", atomically: true, encoding: .utf8)
        let problems = try await SystemdAnalyze.verify(directory: units, units: ["clc-node.service", "docker.service"])
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test("the env file Heat writes from the parameters passes the agent's own check of its flags")
    func renderedEnvFileValidates() async throws {
        let (directory, parts) = try await Self.render()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = try await Self.writtenFiles(try #require(parts.first { $0.hasSuffix(".cloud-config") }))
        let envFile = try #require(files["/etc/sysconfig/clc-node"])
        #expect(EnvironmentFileText.malformed(envFile).isEmpty)
        let lines = EnvironmentFileText.lines(envFile).filter { !$0.commented }
        let values = Dictionary(uniqueKeysWithValues: lines.map { ($0.key, $0.value) })
        #expect(values["CLC_NODE_NODE_IP"] == "10.0.0.11")
        #expect(values["CLC_NODE_ETCD_ENDPOINTS"] == "http://10.0.0.3:2379")
        #expect(values["CLC_NODE_ETCD_PREFIX"] == "/atomic.io/network")
        #expect(values["CLC_NODE_KUBECONFIG"] != nil)
        let read = Set(try await HostCommand.check(try TestEnvironment.agentBinary(), ["environment"]).split(separator: "\n").map(String.init))
        #expect(lines.allSatisfy { read.contains($0.key) }, "variables the agent does not read: \(lines.map(\.key).filter { !read.contains($0) })")
        let result = try await HostCommand.run(
            "/usr/bin/env", ["-i"] + lines.map { "\($0.key)=\($0.value)" } + [try TestEnvironment.agentBinary(), "environment", "--check"])
        #expect(result.succeeded, "clc-node environment --check: \(result.errors)")
    }

    @Test("the bootstrap script and the boothook are valid shell, and the bootstrap signals the wait condition")
    func scriptsParse() async throws {
        let (directory, parts) = try await Self.render()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = try await Self.writtenFiles(try #require(parts.first { $0.hasSuffix(".cloud-config") }))
        let bootstrap = try #require(files["/usr/local/sbin/clc-node-bootstrap"])
        try bootstrap.write(toFile: directory + "/bootstrap", atomically: true, encoding: .utf8)
        try await HostCommand.check("/bin/bash", ["-n", directory + "/bootstrap"])
        #expect(bootstrap.contains("curl -i -X POST -H 'X-Auth-Token: sample-token'"), "the wait handle's curl_cli is in the script")
        #expect(bootstrap.contains("notify SUCCESS") && bootstrap.contains("notify FAILURE"))
        #expect(bootstrap.contains("systemctl start clc-node.service"))
        let boothook = try #require(parts.first { $0.hasSuffix(".cloud-boothook") })
        try await HostCommand.check("/bin/sh", ["-n", boothook])
    }

    @Test("render.py refuses a flannel backend the template does not allow, naming the parameter")
    func refusesBadParameter() async throws {
        let directory = try TestEnvironment.temporaryDirectory("clc-heat")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var sample = try String(contentsOfFile: Self.heatDirectory + "/sample-parameters.yaml", encoding: .utf8)
        sample = sample.replacingOccurrences(of: "flannel_backend: vxlan", with: "flannel_backend: aws-vpc")
        try sample.write(toFile: directory + "/bad.yaml", atomically: true, encoding: .utf8)
        let result = try await HostCommand.run(Self.python, [Self.heatDirectory + "/render.py", "-e", directory + "/bad.yaml", "-o", directory])
        #expect(!result.succeeded)
        #expect(result.errors.contains("flannel_backend"), "\(result.errors)")
    }
}
