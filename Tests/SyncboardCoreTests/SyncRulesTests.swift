import Foundation
import Testing
@testable import SyncboardCore

/// CalendarSync's semantics in Swift, checked without any network: metadata derivation, filters at their
/// boundaries, transformers in the fixed order, and the plan a run makes from two calendars.
@Suite("Sync rules and plans")
struct SyncRulesTests {
    static let sourceHash = "c291cmNl"
    static let sinkHash = "c2luaw=="

    static func at(_ text: String) -> Date { try! Date(text, strategy: Date.ISO8601FormatStyle()) }

    static func event(_ id: String, _ title: String = "Meeting", start: String = "2026-12-02T09:00:00Z", end: String = "2026-12-02T10:00:00Z",
                      allDay: Bool = false, accepted: Bool = true, sourceHash: String = SyncRulesTests.sourceHash) -> SyncEvent {
        SyncEvent(id: id, title: title, start: at(start), end: at(end), allDay: allDay,
                  metadata: SyncMetadata(originalEventID: id, htmlLink: "https://calendar.example/\(id)", calendarHash: sourceHash), accepted: accepted)
    }

    /// A copy in the sink as an earlier run left it: its own id, the original's metadata.
    static func copy(of original: SyncEvent, id: String, title: String? = nil) -> SyncEvent {
        var copy = original.syncSeed()
        copy.id = id
        if let title { copy.title = title }
        return copy
    }

    @Test("EventID is FNV-1 (64-bit) of the original's id, as Go's hash/fnv New64 computes it")
    func fnv1() {
        #expect(SyncMetadata.fnv1("") == 14_695_981_039_346_656_037)
        #expect(SyncMetadata.fnv1("abc123") == 2_635_828_873_713_441_413)
        #expect(SyncMetadata(originalEventID: "abc123", htmlLink: "l", calendarHash: "h").syncID == "2635828873713441413")
    }

    @Test("metadata is read with and without the inovex.calendarsync. prefix and written with it")
    func metadataKeys() throws {
        let prefixed = try #require(SyncMetadata(properties: ["inovex.calendarsync.EventID": "1", "inovex.calendarsync.OriginalEventUri": "u",
                                                             "inovex.calendarsync.SourceID": "s"]))
        let plain = try #require(SyncMetadata(properties: ["EventID": "1", "OriginalEventUri": "u", "SourceID": "s"]))
        #expect(prefixed == plain)
        #expect(prefixed.properties == ["inovex.calendarsync.EventID": "1", "inovex.calendarsync.OriginalEventUri": "u",
                                        "inovex.calendarsync.SourceID": "s"])
        #expect(SyncMetadata(properties: ["unrelated": "x"]) == nil)
    }

    @Test("TimeFrame keeps an event whose start or end hour lies in [HourStart, HourEnd] (UTC), and every all-day event")
    func timeFrame() throws {
        let rules = try SyncRules(transformers: [], filters: [.init(name: "TimeFrame", parameters: ["HourStart": .int(8), "HourEnd": .int(17)])])
        #expect(rules.keeps(Self.event("a", start: "2026-12-02T08:00:00Z", end: "2026-12-02T09:00:00Z")))
        #expect(rules.keeps(Self.event("b", start: "2026-12-02T17:30:00Z", end: "2026-12-02T19:00:00Z")), "starts at hour 17")
        #expect(rules.keeps(Self.event("c", start: "2026-12-02T06:00:00Z", end: "2026-12-02T08:30:00Z")), "ends at hour 8")
        #expect(!rules.keeps(Self.event("d", start: "2026-12-02T18:00:00Z", end: "2026-12-02T20:00:00Z")))
        #expect(!rules.keeps(Self.event("e", start: "2026-12-02T05:00:00Z", end: "2026-12-02T07:59:00Z")))
        #expect(rules.keeps(Self.event("f", start: "2026-12-02T00:00:00Z", end: "2026-12-03T00:00:00Z", allDay: true)))
        // 19:00 in Berlin is 18:00 UTC: hours are UTC.
        #expect(!rules.keeps(Self.event("g", start: "2026-12-02T19:00:00+01:00", end: "2026-12-02T20:00:00+01:00")))
    }

    @Test("TimeFilter drops an event lying wholly within the hours and keeps all-day events")
    func timeFilter() throws {
        let rules = try SyncRules(transformers: [], filters: [.init(name: "TimeFilter", parameters: ["HourStart": .int(8), "HourEnd": .int(17)])])
        #expect(!rules.keeps(Self.event("a", start: "2026-12-02T08:00:00Z", end: "2026-12-02T17:00:00Z")))
        #expect(rules.keeps(Self.event("b", start: "2026-12-02T07:00:00Z", end: "2026-12-02T09:00:00Z")))
        #expect(rules.keeps(Self.event("c", start: "2026-12-02T16:00:00Z", end: "2026-12-02T18:00:00Z")))
        #expect(rules.keeps(Self.event("d", start: "2026-12-02T00:00:00Z", end: "2026-12-03T00:00:00Z", allDay: true)))
    }

    @Test("DeclinedEvents, AllDayEvents and RegexTitle; unknown filters are skipped; an invalid pattern is refused up front")
    func otherFilters() throws {
        let rules = try SyncRules(transformers: [], filters: [.init(name: "DeclinedEvents"), .init(name: "AllDayEvents"), .init(name: "Nonsense"),
                                                              .init(name: "RegexTitle", parameters: ["ExcludeRegexp": .string("^(Private|Lunch)")])])
        #expect(rules.keeps(Self.event("a", "Planning")))
        #expect(!rules.keeps(Self.event("b", "Planning", accepted: false)))
        #expect(!rules.keeps(Self.event("c", "Planning", allDay: true)))
        #expect(!rules.keeps(Self.event("d", "Private: dentist")))
        #expect(rules.keeps(Self.event("e", "Team lunch")), "the pattern is anchored")
        #expect(throws: SyncRules.Problem.invalidRegex("(unclosed")) {
            try SyncRules(transformers: [], filters: [.init(name: "RegexTitle", parameters: ["ExcludeRegexp": .string("(unclosed")])])
        }
    }

    @Test("transformers run in CalendarSync's fixed order whatever the job's order; without any the copy is a titled time slot")
    func transformerOrder() throws {
        var source = Self.event("a", "Budget")
        source.description = String(repeating: "x", count: 4_100)
        source.location = "Room 1"
        let backwards = try SyncRules(transformers: [.init(name: "ReplaceTitle", parameters: ["NewTitle": .string("Busy")]),
                                                     .init(name: "PrefixTitle", parameters: ["Prefix": .string("[W] ")]), .init(name: "KeepTitle")],
                                      filters: [])
        #expect(backwards.transform(source).title == "Busy", "ReplaceTitle runs last")
        let prefixed = try SyncRules(transformers: [.init(name: "PrefixTitle", parameters: ["Prefix": .string("[W] ")]), .init(name: "KeepTitle"),
                                                    .init(name: "KeepDescription")], filters: [])
        let copy = prefixed.transform(source)
        #expect(copy.title == "[W] Budget")
        #expect(copy.description.count == 4_000 && copy.description.hasSuffix("..."), "KeepDescription cuts at 4,000 characters")
        #expect(copy.location == "", "KeepLocation was not asked for")
        let bare = try SyncRules(transformers: [], filters: []).transform(source)
        #expect(bare.title == "CalendarSync Event" && bare.description.isEmpty && bare.start == source.start && bare.metadata == source.metadata)
    }

    @Test("a plan creates missing copies, rewrites changed ones, deletes copies whose original is gone or filtered out")
    func plan() throws {
        let rules = try SyncRules(transformers: [.init(name: "KeepTitle")], filters: [.init(name: "DeclinedEvents")])
        let kept = Self.event("kept", "Kept"), renamed = Self.event("renamed", "New name"), added = Self.event("added", "Added")
        let declined = Self.event("declined", "Declined", accepted: false)
        let sink = [Self.copy(of: kept, id: "s1", title: "Kept"), Self.copy(of: renamed, id: "s2", title: "Old name"),
                    Self.copy(of: declined, id: "s3", title: "Declined"), Self.copy(of: Self.event("gone"), id: "s4", title: "Gone")]
        let plan = SyncPlan.make(source: [kept, renamed, added, declined], sink: sink, rules: rules, sourceHash: Self.sourceHash, sinkHash: Self.sinkHash)
        #expect(plan.creates.map(\.title) == ["Added"])
        #expect(plan.updates.map(\.id) == ["s2"] && plan.updates.first?.title == "New name", "the sink copy keeps its own id")
        #expect(Set(plan.deletes.map(\.id)) == ["s3", "s4"])
        #expect(plan.notes.contains(.filteredOut(title: "Declined")))
    }

    @Test("a plan never resurrects what came from the sink, never touches another source's copies; clean removes only ours")
    func planBoundaries() throws {
        let rules = try SyncRules(transformers: [.init(name: "KeepTitle")], filters: [])
        let fromSink = Self.event("x", "From the sink", sourceHash: Self.sinkHash)
        let shared = Self.event("shared", "Shared")
        let otherSourcesCopy = Self.copy(of: Self.event("shared", sourceHash: "b3RoZXI="), id: "s9", title: "Theirs")
        let stranger = Self.copy(of: Self.event("y", sourceHash: "b3RoZXI="), id: "s8")
        let plan = SyncPlan.make(source: [fromSink, shared], sink: [otherSourcesCopy, stranger], rules: rules,
                                 sourceHash: Self.sourceHash, sinkHash: Self.sinkHash)
        #expect(plan.isEmpty, "\(plan)")
        #expect(plan.notes == [.skippedFromSink(title: "From the sink"), .skippedNotOurs(title: "Shared")])

        let ours = Self.copy(of: Self.event("z"), id: "s7")
        let clean = SyncPlan.cleanUp(sink: [ours, ours, otherSourcesCopy, stranger], sourceHash: Self.sourceHash)
        #expect(clean.deletes.map(\.id) == ["s7"], "once, and only ours")
    }
}
