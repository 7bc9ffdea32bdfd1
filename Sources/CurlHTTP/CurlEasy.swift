import CCurl
import Synchronization

/// Owns one libcurl easy handle. A handle is used by one thread at a time; keeping it across
/// requests keeps its connection cache, so requests to dockerd reuse one socket.
final class CurlEasy {
    private let handle: UnsafeMutableRawPointer
    /// curl writes its error text here during perform, so the memory must stay put: allocated
    /// once, freed in deinit.
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    init() {
        CurlGlobal.ensureInitialised()
        // curl_easy_init fails only when out of memory; there is nothing sensible to go on with.
        guard let handle = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        self.handle = handle
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Runs one transfer to completion on the calling thread.
    func perform(_ request: HTTPRequest, on endpoint: HTTPEndpoint, into transfer: Transfer) throws(HTTPError) {
        curl_easy_reset(handle)
        let label = "\(request.method) \(endpoint)\(request.path)"
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }

        let url = endpoint.baseURL + request.path
        setString(CURLOPT_URL, url)
        if let socket = endpoint.unixSocketPath { setString(CURLOPT_UNIX_SOCKET_PATH, socket) }
        setLong(CURLOPT_NOSIGNAL, 1)
        setLong(CURLOPT_CONNECTTIMEOUT_MS, 10_000)
        setLong(CURLOPT_TCP_KEEPALIVE, 1)
        if let timeout = request.timeout { setLong(CURLOPT_TIMEOUT_MS, Int(timeout.milliseconds)) }
        if let idle = request.idleTimeout {
            setLong(CURLOPT_LOW_SPEED_LIMIT, 1)
            setLong(CURLOPT_LOW_SPEED_TIME, max(1, Int(idle.milliseconds / 1000)))
        }
        if let ca = endpoint.caFile { setString(CURLOPT_CAINFO, ca) }
        if let cert = endpoint.clientCertificateFile { setString(CURLOPT_SSLCERT, cert) }
        if let key = endpoint.clientKeyFile { setString(CURLOPT_SSLKEY, key) }
        if endpoint.insecureSkipTLSVerify {
            setLong(CURLOPT_SSL_VERIFYPEER, 0)
            setLong(CURLOPT_SSL_VERIFYHOST, 0)
        }

        switch request.method {
        case "GET": setLong(CURLOPT_HTTPGET, 1)
        case "HEAD": setLong(CURLOPT_NOBODY, 1)
        default: setString(CURLOPT_CUSTOMREQUEST, request.method)
        }
        if let body = request.body, !body.isEmpty {
            clc_curl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            body.withUnsafeBytes { bytes in
                // COPYPOSTFIELDS copies, so the buffer need not outlive this call.
                _ = clc_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
            }
        } else if request.body != nil || ["POST", "PUT", "PATCH"].contains(request.method) {
            clc_curl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, 0)
            setString(CURLOPT_COPYPOSTFIELDS, "")
        }

        // "Expect: 100-continue" would cost a round trip on every larger body.
        headerList = curl_slist_append(headerList, "Expect:")
        for header in request.headers {
            headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
        }
        if let token = endpoint.currentBearerToken {
            headerList = curl_slist_append(headerList, "Authorization: Bearer \(token)")
        }
        clc_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)

        let context = Unmanaged.passUnretained(transfer).toOpaque()
        transfer.handle = handle
        clc_curl_setopt_data_function(handle, CURLOPT_WRITEFUNCTION, curlWrite)
        clc_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        clc_curl_setopt_data_function(handle, CURLOPT_HEADERFUNCTION, curlHeader)
        clc_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        setLong(CURLOPT_NOPROGRESS, 0)
        clc_curl_setopt_xferinfo_function(handle, curlProgress)
        clc_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, context)
        errorBuffer[0] = 0
        clc_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)

        let code = curl_easy_perform(handle)
        var status = 0
        clc_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        transfer.status = status
        transfer.handle = nil
        guard code != CURLE_OK else { return }

        if transfer.exceeded {
            switch request.bodyLimit.overflow {
            case .fail: throw .bodyTooLarge(request: label, limit: request.bodyLimit.bytes)
            // The transfer was stopped on purpose: what was read is the answer.
            case .truncate where code == CURLE_WRITE_ERROR: return
            case .truncate, .discard: break
            }
        }
        if transfer.cancel.isSet { throw .cancelled(request: label) }
        if code == CURLE_OPERATION_TIMEDOUT {
            throw .timedOut(request: label, after: request.timeout ?? request.idleTimeout ?? .zero)
        }
        let detail = String(cString: errorBuffer)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        throw .transport(request: label, code: Int32(code.rawValue), message: message)
    }

    private func setLong(_ option: CURLoption, _ value: Int) {
        clc_curl_setopt_long(handle, option, value)
    }

    private func setString(_ option: CURLoption, _ value: String) {
        // Since libcurl 7.17 string options are copied, so a temporary C string is enough.
        clc_curl_setopt_string(handle, option, value)
    }
}

/// Where a transfer's bytes go, shared with the C callbacks through an unretained pointer that
/// lives as long as ``CurlEasy/perform(_:on:into:)``.
final class Transfer {
    let cancel: CancelFlag
    /// Called with each body chunk once the status is known; nil collects the body.
    let onChunk: (([UInt8], _ status: Int) -> Void)?
    /// Bounds ``body`` when collecting; ignored with `onChunk`.
    let limit: BodyLimit
    var body: [UInt8] = []
    /// Whether bytes past ``limit`` arrived (and were dropped).
    var exceeded = false
    var headers: [String: String] = [:]
    var status = 0
    var handle: UnsafeMutableRawPointer?

    init(cancel: CancelFlag, limit: BodyLimit = .default, onChunk: (([UInt8], Int) -> Void)? = nil) {
        self.cancel = cancel
        self.limit = limit
        self.onChunk = onChunk
    }

    /// - Returns: false to abort the transfer (the body went past a limit that stops it).
    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if let onChunk {
            var status = 0
            if let handle { clc_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status) }
            onChunk(Array(bytes), status)
            return true
        }
        let decision = limit.admit(chunk: bytes.count, held: body.count)
        body.append(contentsOf: bytes.prefix(decision.keep))
        if decision.exceeded { exceeded = true }
        return decision.proceed
    }

    func receiveHeader(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self)
        if line.hasPrefix("HTTP/") { headers.removeAll(); return }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: " \r\n\t")
        headers[name] = value
    }
}

/// A cancellation request that C callbacks on a curl thread can read.
public final class CancelFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    public func set() { flag.store(true, ordering: .relaxed) }
    public var isSet: Bool { flag.load(ordering: .relaxed) }
}

private func curlWrite(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    if transfer.cancel.isSet { return 0 }
    let length = size * count
    // Anything but `length` makes curl abort with CURLE_WRITE_ERROR.
    return transfer.receive(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}

private func curlHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: length))
    return length
}

private func curlProgress(_ context: UnsafeMutableRawPointer?, _: curl_off_t, _: curl_off_t, _: curl_off_t, _: curl_off_t) -> Int32 {
    guard let context else { return 0 }
    return Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue().cancel.isSet ? 1 : 0
}

enum CurlGlobal {
    /// curl_global_init is not thread-safe; a static let runs it exactly once.
    private static let initialised: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
    static func ensureInitialised() { _ = initialised }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        return String(scalars)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String { String(self).trimmingCharacters(in: set) }
}
