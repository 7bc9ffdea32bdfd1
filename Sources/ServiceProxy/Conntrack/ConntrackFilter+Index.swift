extension ConntrackFilter {
    /// Filters by destination, so that a table of many entries is matched against many filters
    /// with two lookups per entry instead of a pass over every filter.
    struct Index: Sendable {
        /// Per destination, the endpoints whose flows are selected; nil: every flow.
        private var endpoints: [Destination: Set<Endpoint>?] = [:]

        init(_ filters: [ConntrackFilter]) {
            for filter in filters {
                guard let endpoint = filter.endpoint else {
                    endpoints[filter.destination] = .some(nil)
                    continue
                }
                switch endpoints[filter.destination] {
                case nil: endpoints[filter.destination] = [endpoint]
                case let .some(selected?): endpoints[filter.destination] = selected.union([endpoint])
                case .some(nil): break  // every flow is selected already
                }
            }
        }

        var isEmpty: Bool { endpoints.isEmpty }

        /// Whether some filter matches `entry`; the same answer as asking each filter.
        func matches(_ entry: ConntrackEntry) -> Bool {
            guard entry.protocolNumber == TransportProtocol.udp.number else { return false }
            let port = entry.original.destinationPort
            let replier = Endpoint(ip: entry.reply.source, port: entry.reply.sourcePort)
            for destination in [Destination.serviceIP(entry.original.destination, port: port), .nodePort(port)] {
                switch endpoints[destination] {
                case nil: continue
                case .some(nil): return true
                case let .some(selected?): if selected.contains(replier) { return true }
                }
            }
            return false
        }
    }
}
