import Foundation
import Testing
@testable import SyncboardCore

/// The incremental plan on its own, without any network: what a run writes from the source's changes and the index
/// of the copies the job made, decided as the full plan decides (the same rules and metadata).
@Suite("Incremental plan")
struct IncrementalPlanTests {
    typealias Indexed = IncrementalPlan.IndexedCopy
    static let window = (start: SyncRulesTests.at("2026-12-01T00:00:00Z"), end: SyncRulesTests.at("2027-01-01T00:00:00Z"))

    static func hash(_ event: SyncEvent) -> String { event.title }

    static func plan(changed: [SyncEvent] = [], removed: [String] = [], index: [String: Indexed] = [:],
                     rules: SyncRules? = nil) throws -> IncrementalPlan {
        IncrementalPlan.make(changed: changed, removed: removed, window: window, index: index,
                             rules: try rules ?? SyncRules(transformers: [.init(name: "KeepTitle")], filters: []),
                             sourceHash: SyncRulesTests.sourceHash, sinkHash: SyncRulesTests.sinkHash, contentHash: hash)
    }

    static func indexed(_ event: SyncEvent, as copyID: String, content: String? = nil) -> Indexed {
        Indexed(destinationEventID: copyID, syncID: event.metadata.syncID, contentHash: content ?? event.title)
    }

    @Test("a new event is created, an unchanged one costs nothing, a changed one is rewritten in place under its copy's id")
    func createUpdateUnchanged() throws {
        let new = SyncRulesTests.event("new", "Planning")
        let same = SyncRulesTests.event("same", "Review")
        let changed = SyncRulesTests.event("changed", "Retro (moved)")
        let plan = try Self.plan(changed: [new, same, changed],
                                 index: ["same": Self.indexed(same, as: "copy-same"), "changed": Self.indexed(changed, as: "copy-changed", content: "Retro")])
        #expect(plan.creates.map(\.id) == ["new"])
        #expect(plan.updates.map(\.sourceEventID) == ["changed"])
        #expect(plan.updates.first?.copy.id == "copy-changed" && plan.updates.first?.copy.title == "Retro (moved)")
        #expect(plan.deletes.isEmpty && !plan.needsSinkListing)
    }

    @Test("a deleted event loses its copy; so do the copies of a deleted recurring event's instances, and nothing else")
    func deletions() throws {
        let plain = SyncRulesTests.event("plain")
        let series = SyncRulesTests.event("series")
        let instance = SyncRulesTests.event("series_20261207T090000Z")
        let otherSeries = SyncRulesTests.event("series2_20261207T090000Z")
        let plan = try Self.plan(removed: ["plain", "series", "unknown"],
                                 index: ["plain": Self.indexed(plain, as: "c1"), "series": Self.indexed(series, as: "c2"),
                                         "series_20261207T090000Z": Self.indexed(instance, as: "c3"),
                                         "series2_20261207T090000Z": Self.indexed(otherSeries, as: "c4")])
        #expect(Set(plan.deletes.map(\.destinationEventID)) == ["c1", "c2", "c3"])
        #expect(plan.deletes.count == 3, "each copy deleted once")
        #expect(plan.creates.isEmpty && plan.updates.isEmpty)
    }

    @Test("an event that moved out of the window, or that the filters now drop, loses its copy (with a note when filtered)")
    func outOfWindowAndFiltered() throws {
        let gone = SyncRulesTests.event("gone", start: "2027-02-01T09:00:00Z", end: "2027-02-01T10:00:00Z")
        let declined = SyncRulesTests.event("declined", accepted: false)
        let rules = try SyncRules(transformers: [.init(name: "KeepTitle")], filters: [.init(name: "DeclinedEvents")])
        let plan = try Self.plan(changed: [gone, declined], index: ["gone": Self.indexed(gone, as: "c1"), "declined": Self.indexed(declined, as: "c2")],
                                 rules: rules)
        #expect(Set(plan.deletes.map(\.destinationEventID)) == ["c1", "c2"])
        #expect(plan.notes.count == 1)
    }

    @Test("a changed event that is a copy from this sink is skipped; one carrying a third calendar's metadata needs the sink listed")
    func foreignMetadata() throws {
        let fromSink = SyncRulesTests.event("bounce", sourceHash: SyncRulesTests.sinkHash)
        let fromElsewhere = SyncRulesTests.event("foreign", sourceHash: "b3RoZXI=")
        let plan = try Self.plan(changed: [fromSink, fromElsewhere])
        #expect(plan.creates.isEmpty)
        #expect(plan.notes.count == 1, "the bounced copy is noted as skipped")
        #expect(plan.needsSinkListing, "whether the sink holds a copy with that EventID only a listing can tell")
    }

    @Test("nothing changed: an empty plan")
    func empty() throws {
        #expect(try Self.plan().isEmpty)
        let same = SyncRulesTests.event("same", "Review")
        #expect(try Self.plan(changed: [same], index: ["same": Self.indexed(same, as: "c")]).isEmpty)
    }
}
