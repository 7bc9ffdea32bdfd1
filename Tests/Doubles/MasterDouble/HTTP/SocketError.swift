import Glibc

/// A failed socket call, with the call and errno.
struct SocketError: Error, CustomStringConvertible {
    var operation: String
    var code: Int32

    var description: String { "\(operation): \(String(cString: strerror(code))) (errno \(code))" }
}
