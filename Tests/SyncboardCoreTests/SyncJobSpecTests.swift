import Foundation
import Testing
@testable import SyncboardCore

@Suite("Job specification and sync window")
struct SyncJobSpecTests {
    let source = UUID(), destination = UUID(), readOnly = UUID(), removed = UUID()

    func facts(_ id: UUID) -> SyncJobSpec.CalendarFacts? {
        switch id {
        case source: return .init(exists: true, writable: true, removed: false, summary: "Work")
        case destination: return .init(exists: true, writable: true, removed: false, summary: "Home")
        case readOnly: return .init(exists: true, writable: false, removed: false, summary: "Holidays")
        case removed: return .init(exists: true, writable: true, removed: true, summary: "Old")
        default: return nil
        }
    }

    func errors(_ change: (inout SyncJobSpec) -> Void) -> [String] {
        var spec = SyncJobSpec(name: "Work → Home", sourceCalendarID: source, destinationCalendarID: destination)
        change(&spec)
        return spec.validated(calendar: facts).errors.map(\.field)
    }

    @Test("a good spec passes, with its name trimmed")
    func good() {
        var spec = SyncJobSpec(name: "  Work → Home ", sourceCalendarID: source, destinationCalendarID: destination,
                               transformers: [ConfiguredStep(name: "KeepTitle")], cadence: .daily(hour: 6, minute: 0),
                               timeZone: "Europe/Berlin", updateConcurrency: 10)
        spec.window = .init(start: .init(.monthStart, offset: 0), end: .init(.monthEnd, offset: 0))
        let result = spec.validated(calendar: facts)
        #expect(result.errors.isEmpty)
        #expect(result.spec.name == "Work → Home")
    }

    @Test("several destinations and groups: their directions, and what validation refuses (the field named)")
    func severalCalendars() {
        let third = UUID()
        func facts(_ id: UUID) -> SyncJobSpec.CalendarFacts? {
            id == third ? .init(exists: true, writable: true, removed: false, summary: "Team") : self.facts(id)
        }
        func errors(_ spec: SyncJobSpec) -> [String] { spec.validated(calendar: facts).errors.map(\.field) }
        let fanOut = SyncJobSpec(name: "Fan out", sourceCalendarID: source, destinationCalendarID: destination, moreCalendarIDs: [third])
        #expect(errors(fanOut).isEmpty)
        #expect(fanOut.legs == [.init(source: source, destination: destination), .init(source: source, destination: third)])
        var twice = fanOut
        twice.moreCalendarIDs = [destination]
        #expect(errors(twice) == ["moreDestinations"])
        twice.moreCalendarIDs = [readOnly, removed, UUID()]
        #expect(errors(twice) == ["moreDestinations", "moreDestinations", "moreDestinations"])
        let many = (0..<9).map { _ in third }
        #expect(errors(SyncJobSpec(name: "Too many", sourceCalendarID: source, destinationCalendarID: destination, moreCalendarIDs: many))
            .filter { $0 == "moreDestinations" }.count == 9, "eight repeats, and eleven calendars in all")

        let group = SyncJobSpec.group(name: "Group", members: [source, destination, third])
        #expect(errors(group).isEmpty)
        #expect(group.legs.count == 6 && Set(group.legs.map(\.source)) == [source, destination, third])
        #expect(!group.legs.contains { $0.source == $0.destination })
        #expect(errors(.group(name: "One", members: [source])) == ["members"])
        #expect(errors(.group(name: "Twice", members: [source, source])) == ["members"])
        #expect(errors(.group(name: "Read-only", members: [source, readOnly])) == ["members"], "every member receives copies")
    }

    @Test("each rule refuses with the field named")
    func rules() {
        #expect(errors { $0.name = "   " } == ["name"])
        #expect(errors { $0.name = String(repeating: "n", count: 101) } == ["name"])
        #expect(errors { $0.name = String(repeating: "n", count: 100) } == [])
        #expect(errors { $0.destinationCalendarID = $0.sourceCalendarID } == ["destination"])
        #expect(errors { $0.destinationCalendarID = readOnly } == ["destination"])
        #expect(errors { $0.destinationCalendarID = removed } == ["destination"])
        #expect(errors { $0.sourceCalendarID = nil } == ["source"])
        #expect(errors { $0.sourceCalendarID = UUID() } == ["source"])
        #expect(errors { $0.updateConcurrency = 0 } == ["updateConcurrency"])
        #expect(errors { $0.updateConcurrency = 11 } == ["updateConcurrency"])
        #expect(errors { $0.cadence = .cron("not cron") } == ["cadence.expression"])
        #expect(errors { $0.window.end = .init(.monthStart, offset: -2) } == ["window.end"])
        #expect(errors { $0.window.start.offset = -25 } == ["window.start.offset"])
        #expect(errors { $0.filters = [ConfiguredStep(name: "Nope")] } == ["filters.Nope"])
    }

    @Test("a job in the opposite direction of another enabled job gets a warning")
    func reverseWarning() {
        let warning = SyncJobSpec.reverseDirectionWarning(source: source, destination: destination,
                                                          otherEnabledJobs: [("Home → Work", destination, source)])
        #expect(warning?.contains("Home → Work") == true)
        #expect(SyncJobSpec.reverseDirectionWarning(source: source, destination: destination, otherEnabledJobs: [("x", source, destination)]) == nil)
    }

    @Test("the window is computed as CalendarSync computes it, Go month overflow included")
    func window() throws {
        let utc = TimeZone(identifier: "UTC")!
        let now = try Date("2026-01-31T15:00:00Z", strategy: .iso8601)
        let (start, end) = SyncWindow.default.interval(now: now, timeZone: utc)
        #expect(start == (try Date("2025-12-01T00:00:00Z", strategy: .iso8601)))
        // MonthEnd is the last day at 00:00: 31 January + 1 month overflows to 3 March (28 days in February 2026).
        #expect(end == (try Date("2026-03-03T00:00:00Z", strategy: .iso8601)))
        #expect(SyncWindow.default.description == "from the start of last month to the end of next month")
    }
}
