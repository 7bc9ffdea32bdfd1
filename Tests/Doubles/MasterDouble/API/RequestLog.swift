import Foundation
import Synchronization

final class RequestLog: Sendable {
    private let records = Mutex<[RequestRecord]>([])

    func append(_ record: RequestRecord) {
        records.withLock { $0.append(record) }
    }

    func records(since: Date) -> [RequestRecord] {
        records.withLock { all in all.filter { $0.time >= since } }
    }
}
