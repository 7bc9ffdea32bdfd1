import CurlHTTP
import DockerEngine
import Testing

@testable import PodRuntime

/// Messages dockerd 20.10 gave here, pulling inside a network namespace (see
/// scripts/isolated-dockerd.sh) whose DNS server drops queries, answers NXDOMAIN, with no route
/// out, with a TCP port that drops SYNs and one that accepts and never speaks TLS.
private let engineMessages: [(String, ImagePullFailure?)] = [
    // `docker pull redis`, DNS dropping queries: 20.06 s.
    (
        "Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io on 10.53.53.53:53: read udp 10.53.53.53:37850->10.53.53.53:53: i/o timeout",
        .nameResolutionTimedOut
    ),
    // `docker pull quay.io/foo/bar`, same DNS: 40 s.
    (
        "Get \"https://quay.io/v2/\": dial tcp: lookup quay.io on 10.53.53.53:53: read udp 10.53.53.53:44920->10.53.53.53:53: i/o timeout",
        .nameResolutionTimedOut
    ),
    // DNS answering NXDOMAIN: 0.03 s.
    (
        "Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io on 127.0.0.1:53: no such host",
        .nameNotResolved
    ),
    ("Get \"http://localhost:5000/v2/\": dial tcp 127.0.0.1:5000: connect: connection refused", .connectionRefused),
    ("Get \"https://10.53.53.53:5443/v2/\": dial tcp 10.53.53.53:5443: connect: connection refused", .connectionRefused),
    // A port whose SYNs are dropped: 15 s.
    (
        "Get \"https://10.53.53.53:5001/v2/\": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)",
        .connectionTimedOut
    ),
    // A listener that accepts and never answers: 10 s.
    ("Get \"https://10.53.53.53:5443/v2/\": net/http: TLS handshake timeout", .tlsHandshakeTimedOut),
    ("Get \"https://192.0.2.1:5000/v2/\": dial tcp 192.0.2.1:5000: connect: network is unreachable", .networkUnreachable),
    // The registry answered: not an outage (Docker's wording for these).
    ("pull access denied for nosuch, repository does not exist or may require 'docker login': denied: requested access to the resource is denied", nil),
    ("manifest for redis:nope not found: manifest unknown: manifest unknown", nil),
    ("toomanyrequests: You have reached your pull rate limit.", nil),
]

@Suite("Telling an unreachable registry from one that said no")
struct ImagePullFailureTests {
    @Test("each message dockerd gives is classified", arguments: engineMessages.indices)
    func classify(index: Int) {
        let (message, expected) = engineMessages[index]
        #expect(ImagePullFailure(engineMessage: message) == expected, "\(message)")
        #expect(ImagePullFailure(DockerError.http(operation: "pull", status: 500, message: message)) == expected)
    }

    @Test("a failure to reach the engine itself says nothing about the registry")
    func engineTransportIsNotARegistryFailure() {
        let error = DockerError.transport(operation: "pull redis", .transport(request: "POST /images/create", code: 7, message: "connection refused"))
        #expect(ImagePullFailure(error) == nil)
    }

    @Test(
        "an image reference names its registry host by Docker's rules",
        arguments: [
            ("redis", "docker.io"), ("redis:7", "docker.io"), ("kubernetes/redis-slave", "docker.io"),
            ("kubernetes/example-guestbook-php-redis:v2", "docker.io"), ("library/redis@sha256:abc", "docker.io"),
            ("docker.io/library/redis", "docker.io"), ("index.docker.io/library/redis", "docker.io"),
            ("quay.io/coreos/etcd:v3", "quay.io"), ("localhost/app", "localhost"), ("localhost:5000/app", "localhost:5000"),
            ("10.0.0.1:5000/team/app:1", "10.0.0.1:5000"), ("Registry/app", "Registry"),
        ])
    func registryHost(reference: String, host: String) {
        #expect(RegistryHost.of(reference: reference) == host)
    }
}
