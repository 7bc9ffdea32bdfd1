import Foundation

extension APIHandler {
    /// While a TLS front serves the double, every request must have come through it and be
    /// authenticated, as kube-apiserver with `--client-ca-file`, token authentication and
    /// `--anonymous-auth=false`: a client certificate the front verified against the double's
    /// CA (user = subject CN, groups = O), or `Authorization: Bearer <token>` with a token of
    /// `authPolicy.tokens`. Otherwise 401 with the Status kube-apiserver sends.
    ///
    /// A connection that skipped the front (plain HTTP to the loopback listener) gets Go's answer
    /// to plain HTTP on a TLS port, 400 "Client sent an HTTP request to an HTTPS server.".
    ///
    /// Where it differs: no authorization (every authenticated user may do everything, as with
    /// `--authorization-mode=AlwaysAllow`), and `/healthz` needs credentials too.
    ///
    /// - Returns: nil to serve the request; else whether to keep the connection, after answering.
    func refuseUnauthenticated(_ request: HTTPRequestMessage, on connection: HTTPConnection) -> Bool? {
        let (secret, tokens) = settings.withLock { ($0.frontSecret, $0.auth.tokens) }
        guard let secret else { return nil }
        guard let front = connection.front.withLock({ $0 }), front.secret == secret else {
            connection.respond(
                status: 400, contentType: "text/plain; charset=utf-8",
                body: Array("Client sent an HTTP request to an HTTPS server.\n".utf8), close: true)
            return false
        }
        if front.certificateUser != nil { return nil }
        if let authorization = request.headers["authorization"], authorization.hasPrefix("Bearer "),
            tokens[String(authorization.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)] != nil
        {
            return nil
        }
        let refusal = APIStatusError(code: 401, reason: "Unauthorized", message: "Unauthorized")
        log.append(RequestRecord(
            method: request.method, path: request.target, verb: "", resource: "", status: 401, time: .now))
        return connection.respond(status: 401, body: refusal.status.serialized())
    }
}
