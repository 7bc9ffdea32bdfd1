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
        store.remove(key: "a", keyOf: \.key)
        #expect(store.items.map(\.key) == ["c", "b"])
        store.remove(key: "c", keyOf: \.key)
        store.remove(key: "missing", keyOf: \.key)
        #expect(store.items.map(\.key) == ["b"])
        store.upsert(Item(key: "d", value: 6), key: "d")
        store.remove(key: "b", keyOf: \.key)
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
}
