import Foundation
import Testing
@testable import SyncboardCore

@Suite("Catalogue of transformers and filters")
struct SyncCatalogTests {
    let catalog = SyncCatalog.pinned

    @Test("it lists every transformer and filter of the pinned CalendarSync, in its application order")
    func contents() {
        #expect(catalog.transformers.filter { !$0.builtinOnly }.map(\.name) == ["KeepAttendees", "KeepLocation", "KeepReminders", "KeepDescription",
                                                     "KeepMeetingLink", "KeepTitle", "PrefixTitle", "ReplaceTitle"])
        #expect(catalog.filters.filter { !$0.builtinOnly }.map(\.name) == ["TimeFrame", "TimeFilter", "DeclinedEvents", "AllDayEvents", "RegexTitle"])
        #expect(catalog.transformers.filter { !$0.builtinOnly }.map(\.order) == Array(0..<8))
        #expect(catalog.entry(.transformer, named: "ReplaceTitle")?.parameters.first?.defaultValue == .string("[CalendarSync Event]"))
        #expect(catalog.entry(.transformer, named: "AddOriginalLink") == nil)
    }

    @Test("steps come back in CalendarSync's order with defaults filled in")
    func orderAndDefaults() {
        let result = catalog.validate([ConfiguredStep(name: "ReplaceTitle"), ConfiguredStep(name: "KeepLocation"),
                                       ConfiguredStep(name: "KeepAttendees")], kind: .transformer)
        #expect(result.errors.isEmpty)
        #expect(result.steps.map(\.name) == ["KeepAttendees", "KeepLocation", "ReplaceTitle"])
        #expect(result.steps[0].parameters == ["UseEmailAsDisplayName": .bool(false)])
        #expect(result.steps[2].parameters == ["NewTitle": .string("[CalendarSync Event]")])
    }

    @Test("hours: 0 and 23 are accepted, -1 and 24 refused, start after end refused", arguments: ["TimeFrame", "TimeFilter"])
    func hours(filter: String) {
        func errors(_ start: Int, _ end: Int) -> [FieldError] {
            catalog.validate([ConfiguredStep(name: filter, parameters: ["HourStart": .int(start), "HourEnd": .int(end)])], kind: .filter).errors
        }
        #expect(errors(0, 23).isEmpty)
        #expect(errors(7, 7).isEmpty)
        #expect(errors(-1, 10) == [FieldError(field: "filters.\(filter).HourStart", message: "must be at least 0")])
        #expect(errors(3, 24) == [FieldError(field: "filters.\(filter).HourEnd", message: "must be at most 23")])
        #expect(errors(18, 8).map(\.field) == ["filters.\(filter).HourEnd"])
    }

    @Test("unknown names and parameters, wrong types, duplicates and over-long text are named by field")
    func unknowns() {
        let result = catalog.validate([
            ConfiguredStep(name: "KeepEverything"),
            ConfiguredStep(name: "PrefixTitle", parameters: ["Prefix": .int(3), "Colour": .string("red")]),
            ConfiguredStep(name: "KeepAttendees", parameters: ["UseEmailAsDisplayName": .string("yes")]),
            ConfiguredStep(name: "KeepTitle"), ConfiguredStep(name: "KeepTitle"),
            ConfiguredStep(name: "ReplaceTitle", parameters: ["NewTitle": .string(String(repeating: "x", count: 201))]),
        ], kind: .transformer)
        #expect(result.errors.map(\.field) == [
            "transformers.KeepEverything", "transformers.PrefixTitle.Colour", "transformers.PrefixTitle.Prefix",
            "transformers.KeepAttendees.UseEmailAsDisplayName", "transformers.KeepTitle", "transformers.ReplaceTitle.NewTitle",
        ])
        #expect(result.errors[2].message == "must be text")
        #expect(result.errors[3].message == "must be true or false")
    }

    @Test("a RegexTitle pattern RE2 rejects is refused; one it accepts is kept")
    func regex() {
        let bad = catalog.validate([ConfiguredStep(name: "RegexTitle", parameters: ["ExcludeRegexp": .string("^(?!Lunch)")])], kind: .filter)
        #expect(bad.errors.first?.field == "filters.RegexTitle.ExcludeRegexp")
        #expect(bad.errors.first?.message.contains("look-ahead") == true)
        let good = catalog.validate([ConfiguredStep(name: "RegexTitle", parameters: ["ExcludeRegexp": .string("(?i)^(lunch|focus)")])], kind: .filter)
        #expect(good.errors.isEmpty)
    }

    @Test("parameter values keep their JSON types")
    func jsonTypes() throws {
        let data = #"{"name":"TimeFrame","parameters":{"HourStart":8,"HourEnd":17}}"#.data(using: .utf8)!
        let step = try JSONDecoder().decode(ConfiguredStep.self, from: data)
        #expect(step.parameters["HourStart"] == .int(8))
        let flags = try JSONDecoder().decode([String: ParameterValue].self, from: #"{"a":true,"b":"x","c":0}"#.data(using: .utf8)!)
        #expect(flags == ["a": .bool(true), "b": .string("x"), "c": .int(0)])
    }
}
