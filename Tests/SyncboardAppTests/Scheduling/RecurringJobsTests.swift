import Fluent
import Foundation
@testable import GoogleEmulator
import SyncboardCore
import Testing
import Vapor
@testable import SyncboardApp

/// Recurring series through the app's runs (issue 27 §2), on each database: a copy job, a job with two
/// destinations and a group, full and incremental runs, follow a series rescheduled, its occurrences moved,
/// retitled and cancelled, and a cut "this and following"; every destination holds exactly the occurrences.
@Suite("Recurring series in every kind of job")
struct RecurringJobsTests {
    enum Kind: String, CaseIterable, Sendable { case copy, severalDestinations, group }

    static let cases: [(Kind, TestDatabase)] = Kind.allCases.flatMap { kind in TestDatabase.all.map { (kind, $0) } }

    /// A calendar's live single events in the job's window: id, title, start, and the EventID a copy carries.
    static func listed(_ world: SeveralCalendars, _ calendar: String) async throws -> [(id: String, title: String, start: Date?, copyOf: String?)] {
        var query = GoogleEmulator.EventQuery()
        query.singleEvents = true
        query.timeMin = Date().addingTimeInterval(-30 * 86_400)
        query.timeMax = Date().addingTimeInterval(50 * 86_400)
        return try await world.state.listEvents(calendarID: calendar, query: query).items.filter { $0["status"]?.string != "cancelled" }.map {
            ($0["id"]?.string ?? "", $0["summary"]?.string ?? "", EmulatorState.parseTime($0["start"]?["dateTime"]?.string),
             $0["extendedProperties"]?["private"]?["\(SyncMetadata.prefix)\(SyncMetadata.eventIDKey)"]?.string)
        }
    }

    struct Seen: Hashable, CustomStringConvertible {
        let syncID: String, title: String, start: Date?
        var description: String { "\(title)@\(start.map { $0.formatted(.iso8601) } ?? "?")" }
    }

    /// Each destination holds one copy of each of Work's occurrences, at its time and with its title, and nothing else.
    static func expectFollows(_ world: SeveralCalendars, _ destinations: [String], _ context: String,
                              sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let originals = try await listed(world, SeveralCalendars.work).filter { $0.copyOf == nil }
        let wanted = Set(originals.map { Seen(syncID: SyncGroupTests.syncID(of: $0.id), title: $0.title, start: $0.start) })
        #expect(originals.count >= 2, "\(context): the series has occurrences", sourceLocation: sourceLocation)
        for destination in destinations {
            let copies = try await listed(world, destination).filter { $0.copyOf != nil }
            let held = copies.map { Seen(syncID: $0.copyOf!, title: $0.title, start: $0.start) }
            #expect(held.count == Set(held).count && Set(held) == wanted,
                    "\(context), \(destination): \(held.sorted { $0.description < $1.description }) ≠ \(wanted.sorted { $0.description < $1.description })",
                    sourceLocation: sourceLocation)
        }
    }

    @Test("a series rescheduled, occurrences moved, retitled and cancelled, a cut this-and-following: every destination follows, full and incremental",
          arguments: cases)
    func follows(_ kind: Kind, _ database: TestDatabase) async throws {
        try await SeveralCalendars.with(on: database) { world in
            let keepTitle = [ConfiguredStep(name: "KeepTitle")]
            let (job, destinations): (UUID, [String]) = switch kind {
            case .copy:
                (try await world.createJob(SyncJobSpec(name: "Work → Family", sourceCalendarID: world.id(SeveralCalendars.work),
                                                       destinationCalendarID: world.id(SeveralCalendars.family), transformers: keepTitle)),
                 [SeveralCalendars.family])
            case .severalDestinations:
                (try await world.createJob(SyncJobSpec(name: "Work everywhere", sourceCalendarID: world.id(SeveralCalendars.work),
                                                       destinationCalendarID: world.id(SeveralCalendars.family),
                                                       moreCalendarIDs: [world.id(SeveralCalendars.team)], transformers: keepTitle)),
                 [SeveralCalendars.family, SeveralCalendars.team])
            case .group:
                (try await SyncGroupTests.group(world), [SeveralCalendars.family, SeveralCalendars.team])
            }
            let hour = (Date().timeIntervalSince1970 / 3_600).rounded(.down) * 3_600
            func at(_ hours: Double) -> JSONValue {
                ["dateTime": .string(Date(timeIntervalSince1970: hour + hours * 3_600).formatted(.iso8601)), "timeZone": "UTC"]
            }
            let series = try await world.state.addEvent(calendarID: SeveralCalendars.work, [
                "summary": "Weekly 1:1", "start": at(24), "end": at(24.5), "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=5"]])["id"]!.string!
            let (first, firstLog) = try await world.run(job)
            #expect(first.status == .succeeded && first.syncKind == .full && first.created == 5 * destinations.count, "\(firstLog)")
            try await Self.expectFollows(world, destinations, "first run")

            _ = try await world.state.changeEvent(calendarID: SeveralCalendars.work, eventID: series, patch: ["start": at(26), "end": at(26.5)])
            let (rescheduled, log) = try await world.run(job)
            #expect(rescheduled.brief == "succeeded incremental +\(5 * destinations.count) ~0 -\(5 * destinations.count)", "\(log)")
            try await Self.expectFollows(world, destinations, "series rescheduled")

            let occurrences = try await Self.listed(world, SeveralCalendars.work).filter { $0.id.hasPrefix(series + "_") }.sorted { $0.id < $1.id }
            try #require(occurrences.count == 5)
            _ = try await world.state.changeEvent(calendarID: SeveralCalendars.work, eventID: occurrences[1].id, patch: ["start": at(24 * 8 + 30), "end": at(24 * 8 + 31)])
            _ = try await world.state.changeEvent(calendarID: SeveralCalendars.work, eventID: occurrences[2].id, patch: ["summary": "1:1 (with agenda)"])
            try await world.state.removeEvent(calendarID: SeveralCalendars.work, eventID: occurrences[3].id)
            let (exceptions, exceptionsLog) = try await world.run(job)
            #expect(exceptions.status == .succeeded && exceptions.syncKind == .incremental && exceptions.updated == 2 * destinations.count
                    && exceptions.deleted == destinations.count && exceptions.created == 0, "\(exceptionsLog)")
            try await Self.expectFollows(world, destinations, "one occurrence moved, one retitled, one cancelled")

            // This and following from the fifth occurrence: the series ends before it, a new one starts an hour later.
            let cutAt = Date(timeIntervalSince1970: hour + (26 + 4 * 7 * 24) * 3_600)
            let stamp = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!).year().month().day().dateSeparator(.omitted)
                .timeSeparator(.omitted).time(includingFractionalSeconds: false)
            _ = try await world.state.changeEvent(calendarID: SeveralCalendars.work, eventID: series, patch: [
                "recurrence": [.string("RRULE:FREQ=WEEKLY;UNTIL=\(cutAt.addingTimeInterval(-1).formatted(stamp))")]])
            try await world.state.addEvent(calendarID: SeveralCalendars.work, [
                "summary": "Weekly 1:1 (new time)", "start": at(27 + 4 * 7 * 24), "end": at(27.5 + 4 * 7 * 24), "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=2"]])
            let (cut, cutLog) = try await world.run(job)
            #expect(cut.status == .succeeded && cut.syncKind == .incremental && cut.deleted == destinations.count
                    && cut.created == 2 * destinations.count, "\(cutLog)")
            try await Self.expectFollows(world, destinations, "cut this and following")

            try await world.makeFullDue()
            let (full, fullLog) = try await world.run(job)
            #expect(full.status == .succeeded && full.syncKind == .full && full.created == 0 && full.updated == 0 && full.deleted == 0, "\(fullLog)")
            try await Self.expectFollows(world, destinations, "after a full reconciliation")
        }
    }
}
