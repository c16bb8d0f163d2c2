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

    @Test("a copy whose EventID differs from what the index holds is rewritten even when its content is the same")
    func syncIDChange() throws {
        let event = SyncRulesTests.event("renamed-id", "Review")
        var stale = Self.indexed(event, as: "copy")
        stale.syncID = "12345"
        let plan = try Self.plan(changed: [event], index: ["renamed-id": stale])
        #expect(plan.updates.map(\.copy.id) == ["copy"])
        #expect(plan.updates.first?.copy.metadata.syncID == event.metadata.syncID, "the copy is written with the original's EventID")
        #expect(plan.creates.isEmpty && plan.deletes.isEmpty)
    }

    @Test("copies are the rules' transform of the original, and the index's hash is compared with the transformed copy")
    func transformedCopies() throws {
        let rules = try SyncRules(transformers: [.init(name: "KeepTitle"), .init(name: "PrefixTitle", parameters: ["Prefix": .string("[W] ")])],
                                  filters: [])
        let new = SyncRulesTests.event("new", "Planning")
        let copied = SyncRulesTests.event("copied", "Review")
        let oldRules = SyncRulesTests.event("old-rules", "Retro")
        let plan = try Self.plan(changed: [new, copied, oldRules],
                                 index: ["copied": Self.indexed(copied, as: "c1", content: "[W] Review"),
                                         "old-rules": Self.indexed(oldRules, as: "c2", content: "Retro")],
                                 rules: rules)
        #expect(plan.creates.map(\.title) == ["[W] Planning"])
        #expect(plan.creates.first?.id == "new" && plan.creates.first?.metadata.syncID == new.metadata.syncID)
        #expect(plan.updates.map(\.copy.id) == ["c2"], "only the copy made under other rules is rewritten")
        #expect(plan.updates.first?.copy.title == "[W] Retro")
    }

    @Test("the window is half-open: an event ending as it starts or starting as it ends is outside, one overlapping by a minute inside")
    func windowEdges() throws {
        let endsAtStart = SyncRulesTests.event("ends-at-start", start: "2026-11-30T23:00:00Z", end: "2026-12-01T00:00:00Z")
        let startsAtEnd = SyncRulesTests.event("starts-at-end", start: "2027-01-01T00:00:00Z", end: "2027-01-01T01:00:00Z")
        let overlapsStart = SyncRulesTests.event("overlaps-start", start: "2026-11-30T23:00:00Z", end: "2026-12-01T00:01:00Z")
        let overlapsEnd = SyncRulesTests.event("overlaps-end", start: "2026-12-31T23:59:00Z", end: "2027-01-01T01:00:00Z")
        let plan = try Self.plan(changed: [endsAtStart, startsAtEnd, overlapsStart, overlapsEnd],
                                 index: ["ends-at-start": Self.indexed(endsAtStart, as: "c1"), "starts-at-end": Self.indexed(startsAtEnd, as: "c2")])
        #expect(Set(plan.deletes.map(\.destinationEventID)) == ["c1", "c2"])
        #expect(Set(plan.creates.map(\.id)) == ["overlaps-start", "overlaps-end"])
    }

    @Test("an event outside the window or dropped by the filters that was never copied writes nothing; a filtered one is noted by title")
    func neverCopied() throws {
        let later = SyncRulesTests.event("later", start: "2027-03-01T09:00:00Z", end: "2027-03-01T10:00:00Z")
        let declined = SyncRulesTests.event("declined", "Lunch", accepted: false)
        let rules = try SyncRules(transformers: [.init(name: "KeepTitle")], filters: [.init(name: "DeclinedEvents")])
        let plan = try Self.plan(changed: [later, declined], rules: rules)
        #expect(plan.deletes.isEmpty && plan.creates.isEmpty && plan.updates.isEmpty)
        #expect(plan.notes == [.filteredOut(title: "Lunch")], "out of the window is not a note; filtered out is")
        #expect(plan.isEmpty, "notes alone write nothing")
    }

    @Test("occurrences have copies of their own: removing one deletes only its copy; a moved one rewrites only its copy; a new one is created")
    func occurrences() throws {
        let series = SyncRulesTests.event("weekly", "Stand-up")
        let first = SyncRulesTests.event("weekly_20261207T090000Z", "Stand-up", start: "2026-12-07T09:00:00Z", end: "2026-12-07T09:15:00Z")
        let second = SyncRulesTests.event("weekly_20261214T090000Z", "Stand-up", start: "2026-12-14T09:00:00Z", end: "2026-12-14T09:15:00Z")
        var moved = second
        moved.title = "Stand-up (Tuesday)"
        let third = SyncRulesTests.event("weekly_20261221T090000Z", "Stand-up", start: "2026-12-21T09:00:00Z", end: "2026-12-21T09:15:00Z")
        let index = ["weekly": Self.indexed(series, as: "c0"), "weekly_20261207T090000Z": Self.indexed(first, as: "c1"),
                     "weekly_20261214T090000Z": Self.indexed(second, as: "c2")]
        let plan = try Self.plan(changed: [moved, third], removed: ["weekly_20261207T090000Z"], index: index)
        #expect(plan.deletes.map(\.destinationEventID) == ["c1"], "the series' copy and the other occurrences' stay")
        #expect(plan.updates.map(\.copy.id) == ["c2"] && plan.updates.first?.sourceEventID == "weekly_20261214T090000Z")
        #expect(plan.creates.map(\.id) == ["weekly_20261221T090000Z"])
        #expect(plan.creates.first?.metadata.syncID == SyncMetadata.fnv1("weekly_20261221T090000Z").description,
                "an occurrence's EventID is its own id's, not the series'")
    }

    @Test("a copy is deleted once however many reasons there are: removed twice, removed with its series, removed and changed")
    func deletedOnce() throws {
        let series = SyncRulesTests.event("series")
        let instance = SyncRulesTests.event("series_20261207T090000Z")
        let gone = SyncRulesTests.event("gone", start: "2027-02-01T09:00:00Z", end: "2027-02-01T10:00:00Z")
        let plan = try Self.plan(changed: [gone], removed: ["series", "series_20261207T090000Z", "series", "gone"],
                                 index: ["series": Self.indexed(series, as: "c1"), "series_20261207T090000Z": Self.indexed(instance, as: "c2"),
                                         "gone": Self.indexed(gone, as: "c3")])
        #expect(plan.deletes.map(\.destinationEventID).sorted() == ["c1", "c2", "c3"])
    }

    @Test("an event carrying a third calendar's metadata neither is created nor stops the others from being planned")
    func foreignAmongOthers() throws {
        let foreign = SyncRulesTests.event("foreign", sourceHash: "b3RoZXI=")
        let fromSink = SyncRulesTests.event("bounce", "Copied here", sourceHash: SyncRulesTests.sinkHash)
        let new = SyncRulesTests.event("new", "Planning")
        let plan = try Self.plan(changed: [foreign, fromSink, new])
        #expect(plan.creates.map(\.id) == ["new"])
        #expect(plan.needsSinkListing)
        #expect(plan.notes == [.skippedFromSink(title: "Copied here")])
    }
}
