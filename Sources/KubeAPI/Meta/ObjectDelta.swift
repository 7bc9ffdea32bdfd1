/// What changed in a set of objects between two deliveries of it (a reflector's watch events):
/// the objects added or modified, and the objects deleted, as their last state. One entry per
/// object, the last event winning: an object modified and then deleted is only deleted.
///
/// Consumers that keep state per object apply a delta at the cost of the objects it names
/// instead of comparing the whole set; a set delivered without a delta (a list) may differ
/// anywhere.
public struct ObjectDelta<Object: Sendable>: Sendable {
    public var updated: [Object]
    public var deleted: [Object]

    public init(updated: [Object] = [], deleted: [Object] = []) {
        self.updated = updated
        self.deleted = deleted
    }

    public var isEmpty: Bool { updated.isEmpty && deleted.isEmpty }
}
