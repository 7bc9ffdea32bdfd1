extension JSONValue {
    /// An integer given as a number or, as etcd's JSON gateway writes int64, as a string.
    var int64: Int64? {
        switch self {
        case let .number(value): Int64(exactly: value)
        case let .string(text): Int64(text)
        default: nil
        }
    }
}
