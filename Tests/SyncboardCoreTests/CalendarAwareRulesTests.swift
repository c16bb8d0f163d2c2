import Foundation
import Testing
@testable import SyncboardCore

/// The built-in engine's calendar-aware rules: each keeps one event and drops (or changes) another, the catalogue
/// marks them built-in only, and a job that uses one says so.
@Suite("Calendar-aware rules (built-in engine only)")
struct CalendarAwareRulesTests {
    static func event(_ id: String, eventType: String = "default", transparent: Bool? = nil, attendees: [String] = [],
                      visibility: String? = nil, colorID: String? = nil) -> SyncEvent {
        SyncEvent(id: id, title: "Meeting \(id)", start: SyncRulesTests.at("2026-12-02T09:00:00Z"), end: SyncRulesTests.at("2026-12-02T10:00:00Z"),
                  metadata: SyncMetadata(originalEventID: id, htmlLink: "https://calendar.example/\(id)", calendarHash: SyncRulesTests.sourceHash),
                  attendees: attendees.map { SyncEvent.Attendee(email: $0) }, eventType: eventType, transparent: transparent,
                  visibility: visibility, colorID: colorID)
    }

    @Test("the catalogue lists them after CalendarSync's steps, marked built-in only, and CalendarSync's own are not")
    func catalogue() {
        let catalog = SyncCatalog.pinned
        #expect(catalog.transformers.filter(\.builtinOnly).map(\.name) == ["KeepTransparency", "SetVisibility", "SetColor"])
        #expect(catalog.filters.filter(\.builtinOnly).map(\.name) == ["FreeEvents", "EventTypes", "InvitedDestination"])
        #expect(catalog.transformers.map(\.order) == Array(0..<11))
        #expect(catalog.filters.map(\.order) == Array(0..<8))
        #expect(!catalog.transformers.prefix(8).contains { $0.builtinOnly } && !catalog.filters.prefix(5).contains { $0.builtinOnly })
        #expect(SyncRules.transformerOrder == catalog.transformers.map(\.name))
        #expect(SyncRules.filterOrder == catalog.filters.map(\.name))
    }

    @Test("FreeEvents drops a free event and keeps a busy one and one that does not say")
    func freeEvents() throws {
        let rules = try SyncRules(transformers: [], filters: [.init(name: "FreeEvents")])
        #expect(!rules.keeps(Self.event("free", transparent: true)))
        #expect(rules.keeps(Self.event("busy", transparent: false)))
        #expect(rules.keeps(Self.event("unsaid")))
        #expect(try SyncRules(transformers: [], filters: []).keeps(Self.event("free", transparent: true)), "without the filter free events are kept")
    }

    @Test("KeepTransparency copies free as free and busy as busy; without it copies say nothing (busy)")
    func keepTransparency() throws {
        let keep = try SyncRules(transformers: [.init(name: "KeepTransparency")], filters: [])
        #expect(keep.transform(Self.event("free", transparent: true)).transparent == true)
        #expect(keep.transform(Self.event("busy")).transparent == false)
        #expect(try SyncRules(transformers: [], filters: []).transform(Self.event("free", transparent: true)).transparent == nil)
    }

    @Test("EventTypes drops the chosen types and keeps ordinary events and types not chosen")
    func eventTypes() throws {
        let validated = SyncCatalog.pinned.validate([.init(name: "EventTypes")], kind: .filter)
        #expect(validated.errors.isEmpty)
        let rules = try SyncRules(transformers: [], filters: validated.steps)
        for dropped in ["outOfOffice", "focusTime", "workingLocation", "birthday"] {
            #expect(!rules.keeps(Self.event(dropped, eventType: dropped)), "\(dropped) is skipped by default")
        }
        #expect(rules.keeps(Self.event("plain")))
        #expect(rules.keeps(Self.event("mail", eventType: "fromGmail")), "from Gmail is kept unless chosen")

        #expect(rules.sourceEventTypes == ["default", "focusTime", "outOfOffice", "workingLocation", "birthday", "fromGmail"],
                "with the filter every type is read, so that the filter decides")
        #expect(try SyncRules(transformers: [], filters: []).sourceEventTypes == ["default", "focusTime", "outOfOffice"], "as CalendarSync reads")
        let onlyFocus = try SyncRules(transformers: [], filters: [.init(name: "EventTypes", parameters: ["FocusTime": .bool(true)])])
        #expect(!onlyFocus.keeps(Self.event("f", eventType: "focusTime")))
        #expect(onlyFocus.keeps(Self.event("o", eventType: "outOfOffice")))
        let none = SyncCatalog.pinned.validate([.init(name: "EventTypes", parameters: ["OutOfOffice": .bool(false), "FocusTime": .bool(false),
                                                                                        "WorkingLocation": .bool(false), "Birthday": .bool(false)])], kind: .filter)
        #expect(none.errors == [FieldError(field: "filters.EventTypes", message: "choose at least one event type to skip")])
    }

    @Test("InvitedDestination drops an event whose attendees include the destination's account, whatever the case, and keeps others")
    func invitedDestination() throws {
        let rules = try SyncRules(transformers: [], filters: [.init(name: "InvitedDestination")],
                                  destinationAddresses: ["me@home.example", "family@group.calendar.google.com"])
        #expect(!rules.keeps(Self.event("invited", attendees: ["boss@work.example", "Me@Home.example"])))
        #expect(!rules.keeps(Self.event("calendar-invited", attendees: ["family@group.calendar.google.com"])))
        #expect(rules.keeps(Self.event("other", attendees: ["boss@work.example", "me@work.example"])))
        #expect(rules.keeps(Self.event("alone")))
        let unknown = try SyncRules(transformers: [], filters: [.init(name: "InvitedDestination")])
        #expect(unknown.keeps(Self.event("invited", attendees: ["me@home.example"])), "without the destination's address nothing is skipped")
    }

    @Test("SetVisibility and SetColor set the copy's visibility and colour; a bad choice or colour is refused by its field")
    func visibilityAndColour() throws {
        let rules = try SyncRules(transformers: [.init(name: "SetVisibility", parameters: ["Visibility": .string("private")]),
                                                 .init(name: "SetColor", parameters: ["ColorId": .int(11)])], filters: [])
        let copy = rules.transform(Self.event("a", visibility: "public", colorID: "3"))
        #expect(copy.visibility == "private" && copy.colorID == "11")
        let plain = try SyncRules(transformers: [], filters: []).transform(Self.event("a", visibility: "public", colorID: "3"))
        #expect(plain.visibility == nil && plain.colorID == nil, "without the rules the original's visibility and colour are not copied")

        let catalog = SyncCatalog.pinned
        #expect(catalog.validate([.init(name: "SetVisibility", parameters: ["Visibility": .string("public")])], kind: .transformer).errors
                == [FieldError(field: "transformers.SetVisibility.Visibility", message: "must be one of: default, private")])
        #expect(catalog.validate([.init(name: "SetColor", parameters: ["ColorId": .int(12)])], kind: .transformer).errors
                == [FieldError(field: "transformers.SetColor.ColorId", message: "must be at most 11")])
        #expect(catalog.validate([.init(name: "SetColor", parameters: ["ColorId": .int(0)])], kind: .transformer).errors.count == 1)
        #expect(catalog.validate([.init(name: "SetVisibility"), .init(name: "SetColor")], kind: .transformer).errors.isEmpty)
    }

    @Test("a copy whose managed fields differ is rewritten; fields no rule manages are left as the sink has them")
    func plansRewriteManagedFields() throws {
        let rules = try SyncRules(transformers: [.init(name: "KeepTitle"), .init(name: "SetColor", parameters: ["ColorId": .int(5)])], filters: [])
        let original = Self.event("a")
        var copy = rules.transform(original)
        copy.id = "copy-a"
        copy.colorID = "2"
        copy.visibility = "private"  // set by the user in the destination; no rule manages it
        let plan = SyncPlan.make(source: [original], sink: [copy], rules: rules, sourceHash: SyncRulesTests.sourceHash, sinkHash: SyncRulesTests.sinkHash)
        #expect(plan.updates.count == 1)
        #expect(plan.updates.first?.colorID == "5" && plan.updates.first?.visibility == "private")
        copy.colorID = "5"
        let settled = SyncPlan.make(source: [original], sink: [copy], rules: rules, sourceHash: SyncRulesTests.sourceHash, sinkHash: SyncRulesTests.sinkHash)
        #expect(settled.isEmpty)
        // Without the rules the same sink copy is left alone (CalendarSync compares neither colour nor visibility).
        let plain = try SyncRules(transformers: [.init(name: "KeepTitle")], filters: [])
        #expect(SyncPlan.make(source: [original], sink: [copy], rules: plain, sourceHash: SyncRulesTests.sourceHash, sinkHash: SyncRulesTests.sinkHash).isEmpty)
    }

    @Test("the content hash of a copy no rule manages is unchanged by the new fields (indexes stay valid)")
    func hashCompatibility() throws {
        let copy = try SyncRules(transformers: [.init(name: "KeepTitle")], filters: []).transform(Self.event("a", transparent: true, visibility: "private"))
        #expect(!copy.comparableContent.contains("transparent") && !copy.comparableContent.contains("visibility"))
        let coloured = try SyncRules(transformers: [.init(name: "SetColor", parameters: ["ColorId": .int(4)])], filters: []).transform(Self.event("a"))
        #expect(coloured.comparableContent != copy.comparableContent)
    }

    @Test("a job names the fields of its built-in-only rules, and one without them needs no built-in engine")
    func builtinOnlyFields() {
        var spec = SyncJobSpec(name: "x", sourceCalendarID: nil, destinationCalendarID: nil,
                               transformers: [.init(name: "KeepTitle"), .init(name: "SetColor")], filters: [.init(name: "RegexTitle"), .init(name: "FreeEvents")])
        #expect(spec.builtinOnlyFields() == ["transformers.SetColor", "filters.FreeEvents"])
        #expect(spec.builtinOnlyRules() == [.step(.transformer, name: "SetColor"), .step(.filter, name: "FreeEvents")])
        #expect(spec.needsBuiltinEngine)
        spec.transformers = [.init(name: "KeepTitle")]
        spec.filters = [.init(name: "RegexTitle")]
        #expect(spec.builtinOnlyFields().isEmpty && !spec.needsBuiltinEngine)
        // The CLI cannot sync incrementally: a real-time job needs the built-in engine too.
        spec.cadence = .realtime
        #expect(spec.builtinOnlyFields() == ["cadence"] && spec.builtinOnlyRules() == [.realtimeCadence] && spec.needsBuiltinEngine)
        spec.deletionsStick = true
        spec.kind = .group
        #expect(spec.builtinOnlyRules() == [.deletionsStick, .realtimeCadence, .group])
    }
}
