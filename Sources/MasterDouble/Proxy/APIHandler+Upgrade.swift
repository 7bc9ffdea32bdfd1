import CurlHTTP
import Foundation

extension APIHandler {
    /// An upgraded connection (SPDY/3.1, WebSocket): the request head goes to the node, its
    /// answer (101 Switching Protocols, or an error) comes back, then bytes are copied both ways
    /// until either side closes.
    func relayUpgrade(
        _ request: HTTPRequestMessage, to node: NodeRequest, on connection: HTTPConnection, record: (Int) -> Void
    ) -> Bool {
        record(501)
        let status = APIStatusError(code: 501, reason: "NotImplemented", message: "upgraded connections are not relayed yet")
        return connection.respond(status: 501, body: status.status.serialized(), close: true)
    }
}
