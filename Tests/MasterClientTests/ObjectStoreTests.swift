import Testing

@testable import MasterClient

@Suite("a reflector's store")
struct ObjectStoreTests {
    private struct Item: Sendable, Equatable {
        var key: String
        var value: Int
    }

    @Test("a replaced object keeps its place; a removed one gives its place to the last; the last of a key wins")
    func positions() {
        var store = ObjectStore([Item(key: "a", value: 1), Item(key: "b", value: 2), Item(key: "c", value: 3), Item(key: "a", value: 4)], key: \.key)
        #expect(store.items == [Item(key: "a", value: 4), Item(key: "b", value: 2), Item(key: "c", value: 3)])
        store.upsert(Item(key: "b", value: 5), key: "b")
        #expect(store.items.map(\.value) == [4, 5, 3])
        store.remove(Item(key: "a", value: 0), key: "a", keyOf: \.key)
        #expect(store.items.map(\.key) == ["c", "b"])
        store.remove(Item(key: "c", value: 0), key: "c", keyOf: \.key)
        store.remove(Item(key: "missing", value: 0), key: "missing", keyOf: \.key)
        #expect(store.items.map(\.key) == ["b"])
        store.upsert(Item(key: "d", value: 6), key: "d")
        store.remove(Item(key: "b", value: 0), key: "b", keyOf: \.key)
        store.upsert(Item(key: "d", value: 7), key: "d")
        #expect(store.items == [Item(key: "d", value: 7)] && store.count == 1)
    }

    @Test("what a delivery handed out is not changed by later updates")
    func deliveredArraysStay() {
        var store = ObjectStore([Item(key: "a", value: 1)], key: \.key)
        let delivered = store.items
        store.upsert(Item(key: "a", value: 2), key: "a")
        #expect(delivered == [Item(key: "a", value: 1)])
    }

    @Test("a delta names each object changed since the last one once, with its last state; a list starts with none")
    func deltas() {
        var store = ObjectStore([Item(key: "a", value: 1), Item(key: "b", value: 2)], key: \.key)
        let listed = store.takeDelta()
        #expect(listed.isEmpty)
        store.upsert(Item(key: "a", value: 3), key: "a")
        store.upsert(Item(key: "a", value: 4), key: "a")
        store.upsert(Item(key: "c", value: 5), key: "c")
        store.remove(Item(key: "b", value: 6), key: "b", keyOf: \.key)
        store.remove(Item(key: "missing", value: 7), key: "missing", keyOf: \.key)
        let delta = store.takeDelta()
        #expect(delta.updated.sorted { $0.key < $1.key } == [Item(key: "a", value: 4), Item(key: "c", value: 5)])
        #expect(delta.deleted == [Item(key: "b", value: 6)])
        store.upsert(Item(key: "d", value: 8), key: "d")
        store.remove(Item(key: "d", value: 9), key: "d", keyOf: \.key)
        let next = store.takeDelta()
        #expect(next.updated.isEmpty && next.deleted == [Item(key: "d", value: 9)], "added then deleted: only deleted")
        let none = store.takeDelta()
        #expect(none.isEmpty)
    }
}
