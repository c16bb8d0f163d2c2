import Foundation
import GoogleClient
import SyncboardCore
import Synchronization
import Testing
@testable import GoogleEmulator
@testable import SyncEngines

/// Recurring series and their exceptions through the built-in engine, against the emulator over HTTP (issue 27 §2):
/// a copy job's runs, either all full reconciliations or a full one then incremental ones. After every change the
/// destination holds exactly one copy of each occurrence in the window, at the occurrence's time and with its title
/// (none left at old times, none missing), and only the copies the change concerns were written.
@Suite("Built-in engine: recurring series and their exceptions")
struct RecurringScenariosTests {
    typealias World = BuiltinEngineTests.World
    static let source = BuiltinEngineTests.source
    static let sink = BuiltinEngineTests.sink
    /// March and April 2027: Europe/Berlin changes to summer time on 28 March.
    static let window = (start: BuiltinEngineTests.date("2027-03-01T00:00:00Z"), end: BuiltinEngineTests.date("2027-05-01T00:00:00Z"))
    static let berlin = TimeZone(identifier: "Europe/Berlin")!

    enum Runs: String, CaseIterable, Sendable { case full, incremental }

    /// A job's runs as the app makes them: with `.incremental` the first run reconciles and the later ones list
    /// only the source's changes, keeping the token and index in step; with `.full` each run reconciles.
    final class Job: Sendable {
        let world: World
        let runs: Runs
        let filters: [ConfiguredStep]
        let timeZone: TimeZone
        let sticky: Bool
        let state = Mutex<IncrementalSyncTests.State?>(nil)
        let tombstones = Mutex<Set<String>>([])
        let lines = Mutex<[String]>([])

        init(_ world: World, _ runs: Runs, filters: [ConfiguredStep] = [], timeZone: TimeZone = TimeZone(identifier: "UTC")!, sticky: Bool = false) {
            self.world = world
            self.runs = runs
            self.filters = filters
            self.timeZone = timeZone
            self.sticky = sticky
        }

        var sourceAccess: CalendarAccess { .init(id: RecurringScenariosTests.source, accessToken: world.token) }
        var sinkAccess: CalendarAccess { .init(id: RecurringScenariosTests.sink, accessToken: world.token) }

        @discardableResult
        func run() async throws -> BuiltinSyncEngine.Outcome {
            let log: @Sendable (String) async -> Void = { line in self.lines.withLock { $0.append(line) } }
            if runs == .incremental, let state = state.withLock({ $0 }) {
                let result = try await world.engine.syncChanges(
                    source: sourceAccess, sink: sinkAccess, transformers: IncrementalSyncTests.keepTitle, filters: filters,
                    window: RecurringScenariosTests.window, timeZone: timeZone, since: state.token.withLock { $0 }, index: state.indexed,
                    concurrency: 4, tombstones: sticky ? tombstones.withLock { $0 } : nil, log: log, record: { state.record($0) })
                guard case .synced(let outcome, let next) = result else {
                    Issue.record("expected an incremental run, got \(result)")
                    throw CancellationError()
                }
                state.token.withLock { $0 = next }
                tombstones.withLock { $0.formUnion(outcome.tombstoned.map(\.sourceEventID)) }
                return outcome
            }
            let previous = state.withLock { $0 }?.indexed ?? [:]
            let stickyDeletions = sticky ? StickyDeletions(tombstones: tombstones.withLock { $0 }, previousIndex: previous) : nil
            let (outcome, checkpoint) = try await world.engine.reconcile(
                source: sourceAccess, sink: sinkAccess, transformers: IncrementalSyncTests.keepTitle, filters: filters,
                window: RecurringScenariosTests.window, timeZone: timeZone, mode: .sync, concurrency: 4, sticky: stickyDeletions, log: log)
            let kept = try #require(checkpoint)
            state.withLock { $0 = IncrementalSyncTests.State(kept) }
            tombstones.withLock { $0 = kept.retainedTombstones }
            return outcome
        }
    }

    /// An event as the scenarios compare them: which original (CalendarSync's EventID), title and times.
    struct Seen: Hashable, CustomStringConvertible {
        let syncID: String
        let title: String
        let start: Date
        let end: Date
        var description: String { "\(title)@\(start.formatted(Date.ISO8601FormatStyle()))" }
    }

    static func listing(_ world: World, _ calendar: String) async throws -> [SyncEvent] {
        try await world.engine.provider.list(.init(id: calendar, accessToken: world.token),
                                             EventQuery(start: window.start, end: window.end, ordered: true, eventTypes: nil,
                                                        calendarHash: CalendarHash.of(calendar))).events
    }

    /// The source's occurrences in the window (optionally only those `keep` keeps), as their copies must be.
    static func expected(_ world: World, keep: (SyncEvent) -> Bool = { _ in true }) async throws -> [Seen] {
        try await listing(world, source).filter(keep).map { Seen(syncID: $0.metadata.syncID, title: $0.title, start: $0.start, end: $0.end) }
            .sorted { ($0.start, $0.syncID) < ($1.start, $1.syncID) }
    }

    static func copies(_ world: World) async throws -> [Seen] {
        try await listing(world, sink).map { Seen(syncID: $0.metadata.syncID, title: $0.title, start: $0.start, end: $0.end) }
            .sorted { ($0.start, $0.syncID) < ($1.start, $1.syncID) }
    }

    /// The destination's live events by id, with their etags: which copies a run wrote.
    static func versions(_ world: World) async -> [String: String] {
        var versions: [String: String] = [:]
        for event in await world.sinkEvents() { versions[event["id"]!.string!] = event["etag"]?.string ?? "" }
        return versions
    }

    /// What changed between two `versions`: copies rewritten in place, deleted, and new.
    static func written(_ before: [String: String], _ after: [String: String]) -> (updated: Int, deleted: Int, created: Int) {
        (before.filter { after[$0.key] != nil && after[$0.key] != $0.value }.count, before.keys.filter { after[$0] == nil }.count,
         after.keys.filter { before[$0] == nil }.count)
    }

    static func expectFollows(_ world: World, _ context: String, keep: (SyncEvent) -> Bool = { _ in true },
                              sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let wanted = try await expected(world, keep: keep), held = try await copies(world)
        #expect(held == wanted, "\(context): the copies \(held) are not the occurrences \(wanted)", sourceLocation: sourceLocation)
    }

    // MARK: - The source's series

    /// A wall-clock time in Berlin, with its offset that day (+01:00 in winter, +02:00 in summer).
    static func berlinTime(_ day: String, _ time: String) -> JSONValue {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = berlin
        let parts = (day + "-" + time.replacingOccurrences(of: ":", with: "-")).split(separator: "-").map { Int($0)! }
        let instant = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4]))!
        let offset = berlin.secondsFromGMT(for: instant) / 3_600
        return ["dateTime": .string("\(day)T\(time)+0\(offset):00"), "timeZone": "Europe/Berlin"]
    }

    /// Mondays 09:00–09:30 in Berlin from 1 March 2027, eight of them (08:00Z until 22 March, 07:00Z from 29 March).
    @discardableResult
    static func weekly(_ world: World, _ title: String = "Weekly 1:1", rule: String = "RRULE:FREQ=WEEKLY;COUNT=8",
                       from day: String = "2027-03-01", at time: String = "09:00:00", minutes: Int = 30) async throws -> String {
        let end = String(format: "%@:%02d:00", String(time.prefix(2)), Int(time.dropFirst(3).prefix(2))! + minutes)
        let event = try await world.state.addEvent(calendarID: source, ["summary": .string(title), "start": berlinTime(day, time),
                                                                          "end": berlinTime(day, end), "recurrence": [.string(rule)]])
        return try #require(event["id"]?.string)
    }

    /// The id of the series' occurrence that starts (originally) on `day`.
    static func occurrence(_ world: World, of seriesID: String, on day: String) async throws -> String {
        let events = try await listing(world, source)
        return try #require(events.first { $0.id.hasPrefix(seriesID + "_") && $0.start.formatted(Date.ISO8601FormatStyle()).hasPrefix(day) }?.id)
    }

    enum SeriesChange: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case rescheduled, retitled, shortened, extended, cutThisAndFollowing, deleted
        var testDescription: String { rawValue }
    }

    @Test("a series rescheduled, retitled, shortened (UNTIL), extended, cut this-and-following or deleted: copies follow, none left at old times, none missing, the others untouched",
          arguments: SeriesChange.allCases, Runs.allCases)
    func seriesChange(_ change: SeriesChange, _ runs: Runs) async throws {
        try await BuiltinEngineTests.withWorld { world in
            let job = Job(world, runs)
            let id = try await Self.weekly(world)
            try await Self.weekly(world, "Other series", rule: "RRULE:FREQ=WEEKLY;COUNT=3", from: "2027-03-02", at: "14:00:00")
            #expect(try await job.run().created == 11)
            try await Self.expectFollows(world, "first run")
            let before = await Self.versions(world)
            var expected: (updated: Int, deleted: Int, created: Int)
            switch change {
            case .rescheduled:
                try await world.state.changeEvent(calendarID: Self.source, eventID: id, patch: [
                    "start": Self.berlinTime("2027-03-01", "11:00:00"), "end": Self.berlinTime("2027-03-01", "11:30:00")])
                expected = (0, 8, 8)
            case .retitled:
                try await world.state.changeEvent(calendarID: Self.source, eventID: id, patch: ["summary": "One-to-one"])
                expected = (8, 0, 0)
            case .shortened:
                // The last occurrence is 29 March: the three after it (5, 12 and 19 April) go.
                try await world.state.changeEvent(calendarID: Self.source, eventID: id, patch: ["recurrence": ["RRULE:FREQ=WEEKLY;UNTIL=20270330T000000Z"]])
                expected = (0, 3, 0)
            case .extended:
                try await world.state.changeEvent(calendarID: Self.source, eventID: id, patch: ["recurrence": ["RRULE:FREQ=WEEKLY;COUNT=9"]])
                expected = (0, 0, 1)
            case .cutThisAndFollowing:
                // From 22 March on, 10:00 instead of 09:00: the old series ends with UNTIL, a new one starts.
                try await world.state.changeEvent(calendarID: Self.source, eventID: id, patch: ["recurrence": ["RRULE:FREQ=WEEKLY;UNTIL=20270321T225959Z"]])
                try await Self.weekly(world, rule: "RRULE:FREQ=WEEKLY;COUNT=5", from: "2027-03-22", at: "10:00:00")
                expected = (0, 5, 5)
            case .deleted:
                try await world.state.removeEvent(calendarID: Self.source, eventID: id)
                expected = (0, 8, 0)
            }
            let outcome = try await job.run()
            #expect(outcome.failures.isEmpty && outcome.updated == expected.updated && outcome.deleted == expected.deleted
                    && outcome.created == expected.created, "\(change), \(runs): \(outcome) \(job.lines.withLock { $0 })")
            try await Self.expectFollows(world, "\(change), \(runs)")
            let written = Self.written(before, await Self.versions(world))
            #expect(written == expected, "\(change), \(runs): the copies written")
            #expect(try await job.run() == .init(), "\(change), \(runs): a second run writes nothing")
        }
    }

    enum OccurrenceChange: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case moved, retitled, cancelled, movedOutOfWindow
        var testDescription: String { rawValue }
    }

    @Test("one occurrence moved, retitled, cancelled or moved out of the window: exactly that copy changes",
          arguments: OccurrenceChange.allCases, Runs.allCases)
    func occurrenceChange(_ change: OccurrenceChange, _ runs: Runs) async throws {
        try await BuiltinEngineTests.withWorld { world in
            let job = Job(world, runs)
            let id = try await Self.weekly(world)
            _ = try await job.run()
            let third = try await Self.occurrence(world, of: id, on: "2027-03-15")
            let before = await Self.versions(world)
            var expected: (updated: Int, deleted: Int, created: Int)
            switch change {
            case .moved:
                try await world.state.changeEvent(calendarID: Self.source, eventID: third, patch: [
                    "start": Self.berlinTime("2027-03-16", "15:00:00"), "end": Self.berlinTime("2027-03-16", "16:00:00")])
                expected = (1, 0, 0)
            case .retitled:
                try await world.state.changeEvent(calendarID: Self.source, eventID: third, patch: ["summary": "1:1 (agenda: review)"])
                expected = (1, 0, 0)
            case .cancelled:
                try await world.state.removeEvent(calendarID: Self.source, eventID: third)
                expected = (0, 1, 0)
            case .movedOutOfWindow:
                try await world.state.changeEvent(calendarID: Self.source, eventID: third, patch: [
                    "start": Self.berlinTime("2027-06-01", "09:00:00"), "end": Self.berlinTime("2027-06-01", "09:30:00")])
                expected = (0, 1, 0)
            }
            let outcome = try await job.run()
            #expect(outcome.failures.isEmpty && outcome.updated == expected.updated && outcome.deleted == expected.deleted
                    && outcome.created == expected.created, "\(change), \(runs): \(outcome)")
            try await Self.expectFollows(world, "\(change), \(runs)")
            #expect(Self.written(before, await Self.versions(world)) == expected, "\(change), \(runs): only that copy is written")
            if change == .moved {
                let moved = try #require(try await Self.copies(world).first { $0.syncID == String(SyncMetadata.fnv1(third)) })
                #expect(moved.start == BuiltinEngineTests.date("2027-03-16T14:00:00Z"), "the copy is at the moved time")
            }

            // The series then rescheduled: its exceptions go with the old occurrences (as Google does), copies follow.
            try await world.state.changeEvent(calendarID: Self.source, eventID: id, patch: [
                "start": Self.berlinTime("2027-03-02", "09:00:00"), "end": Self.berlinTime("2027-03-02", "09:30:00")])
            #expect(try await job.run().failures.isEmpty)
            try await Self.expectFollows(world, "\(change), \(runs), then the series rescheduled")
            #expect(try await Self.copies(world).count == 8)
        }
    }

    @Test("TimeFrame and TimeFilter judge each occurrence's hours in the job's time zone, across the change to summer time",
          arguments: Runs.allCases)
    func hoursInTheJobsTimeZone(_ runs: Runs) async throws {
        try await BuiltinEngineTests.withWorld { world in
            // Mondays 09:00 in Berlin: 08:00Z in March until the 22nd, 07:00Z from the 29th.
            let id = try await Self.weekly(world)
            let only9 = [ConfiguredStep(name: "TimeFrame", parameters: ["HourStart": .int(9), "HourEnd": .int(9)])]
            let onlyWithin = Job(world, runs, filters: only9, timeZone: Self.berlin)
            #expect(try await onlyWithin.run().created == 8, "every occurrence starts at 9 in Berlin, before and after the change")
            try await Self.expectFollows(world, "TimeFrame 9–9 in Berlin")

            // One occurrence moved to the afternoon: only its copy goes, in either kind of run.
            let moved = try await Self.occurrence(world, of: id, on: "2027-04-05")
            try await world.state.changeEvent(calendarID: Self.source, eventID: moved, patch: [
                "start": Self.berlinTime("2027-04-05", "15:00:00"), "end": Self.berlinTime("2027-04-05", "15:30:00")])
            #expect(try await onlyWithin.run() == .init(created: 0, updated: 0, deleted: 1, failures: []))
            try await Self.expectFollows(world, "the moved occurrence left out") { $0.id != moved }
        }
    }

    @Test("the same TimeFrame in UTC keeps only the occurrences whose UTC hour it names (before the change to summer time)")
    func hoursInUTC() async throws {
        try await BuiltinEngineTests.withWorld { world in
            try await Self.weekly(world)
            let job = Job(world, .full, filters: [ConfiguredStep(name: "TimeFrame", parameters: ["HourStart": .int(8), "HourEnd": .int(8)])])
            // 08:00Z–08:30Z before 28 March; 07:00Z–07:30Z after.
            #expect(try await job.run().created == 4)
            try await Self.expectFollows(world, "TimeFrame 8–8 in UTC") { $0.start < BuiltinEngineTests.date("2027-03-28T00:00:00Z") }
        }
    }

    @Test("TimeFilter skips a series' occurrences within its hours in the job's time zone; an occurrence moved out of them is copied",
          arguments: Runs.allCases)
    func timeFilterPerOccurrence(_ runs: Runs) async throws {
        try await BuiltinEngineTests.withWorld { world in
            let id = try await Self.weekly(world)
            let job = Job(world, runs, filters: [ConfiguredStep(name: "TimeFilter", parameters: ["HourStart": .int(9), "HourEnd": .int(9)])],
                          timeZone: Self.berlin)
            #expect(try await job.run().created == 0, "every occurrence is 09:00–09:30 in Berlin")
            let moved = try await Self.occurrence(world, of: id, on: "2027-03-29")
            try await world.state.changeEvent(calendarID: Self.source, eventID: moved, patch: [
                "start": Self.berlinTime("2027-03-29", "13:00:00"), "end": Self.berlinTime("2027-03-29", "13:30:00")])
            #expect(try await job.run() == .init(created: 1, updated: 0, deleted: 0, failures: []))
            try await Self.expectFollows(world, "only the moved occurrence") { $0.id == moved }
        }
    }

    @Test("an all-day series across the change to summer time: one all-day copy per day, an all-day filter leaves them all out",
          arguments: Runs.allCases)
    func allDaySeries(_ runs: Runs) async throws {
        try await BuiltinEngineTests.withWorld { world in
            let series = try await world.state.addEvent(calendarID: Self.source, [
                "summary": "On call", "start": ["date": "2027-03-26"], "end": ["date": "2027-03-27"], "recurrence": ["RRULE:FREQ=DAILY;COUNT=4"]])
            let job = Job(world, runs, timeZone: Self.berlin)
            #expect(try await job.run().created == 4)
            try await Self.expectFollows(world, "all-day copies")
            let copies = await world.sinkEvents()
            #expect(Set(copies.compactMap { $0["start"]?["date"]?.string }) == ["2027-03-26", "2027-03-27", "2027-03-28", "2027-03-29"])
            let cancelled = try await Self.occurrence(world, of: series["id"]!.string!, on: "2027-03-28")
            try await world.state.removeEvent(calendarID: Self.source, eventID: cancelled)
            let afterCancel = try await job.run()
            #expect(afterCancel.failures.isEmpty && afterCancel.created == 0 && afterCancel.updated == 0 && afterCancel.deleted == 1, "\(afterCancel)")
            try await Self.expectFollows(world, "the cancelled day's copy gone")

            let skipping = Job(world, .full, filters: [ConfiguredStep(name: "AllDayEvents")], timeZone: Self.berlin)
            #expect(try await skipping.run().deleted == 3)
            #expect(await world.sinkEvents().isEmpty)
        }
    }

    @Test("deletions that stick, per occurrence: a deleted occurrence copy stays deleted while the series is retitled, its siblings follow",
          arguments: Runs.allCases)
    func stickyPerOccurrence(_ runs: Runs) async throws {
        try await BuiltinEngineTests.withWorld { world in
            let id = try await Self.weekly(world)
            let job = Job(world, runs, sticky: true)
            _ = try await job.run()
            let second = try await Self.occurrence(world, of: id, on: "2027-03-08")
            let copy = try #require(await world.sinkEvents().first { $0["extendedProperties"]?["private"]?["inovex.calendarsync.EventID"]?.string == String(SyncMetadata.fnv1(second)) })
            try await world.state.removeEvent(calendarID: Self.sink, eventID: copy["id"]!.string!)
            try await world.state.changeEvent(calendarID: Self.source, eventID: id, patch: ["summary": "One-to-one"])
            let outcome = try await job.run()
            #expect(outcome.updated == 7 && outcome.created == 0 && outcome.tombstoned.map(\.sourceEventID) == [second], "\(outcome)")
            try await Self.expectFollows(world, "all but the deleted occurrence") { $0.id != second }
            // It stays deleted in the runs after, full or not.
            try await world.state.changeEvent(calendarID: Self.source, eventID: second, patch: ["summary": "One-to-one (moved)"])
            #expect(try await job.run().created == 0)
            let full = Job(world, .full, sticky: true)
            full.state.withLock { $0 = job.state.withLock { $0 } }
            full.tombstones.withLock { $0 = job.tombstones.withLock { $0 } }
            #expect(try await full.run() == .init())
            try await Self.expectFollows(world, "still without the deleted occurrence") { $0.id != second }
        }
    }

    @Test("a copy changed in the destination between the run's read and its write is not overwritten (If-Match, 412): the run logs it, and the next full run reads it again")
    func changedBetweenReadAndWrite() async throws {
        try await BuiltinEngineTests.withWorld { world in
            let id = try await Self.weekly(world)
            _ = try await Job(world, .full).run()
            let third = try await Self.occurrence(world, of: id, on: "2027-03-15")
            try await world.state.changeEvent(calendarID: Self.source, eventID: third, patch: ["summary": "1:1 (agenda: review)"])
            // The person edits the copy after the run listed the destination, just before the run overwrites it.
            let google = world.engine.provider
            let writes = try #require(google.writes)
            var racing = google
            racing.writes = .init(insert: writes.insert, update: { calendar, copyID, copy throws(ProviderError) in
                _ = try? await world.state.changeEvent(calendarID: Self.sink, eventID: copyID, patch: ["summary": "Edited by hand"])
                try await writes.update(calendar, copyID, copy)
            }, delete: writes.delete)
            let raced = Job(World(google: world.google, engine: BuiltinSyncEngine(provider: racing), token: world.token), .full)
            let outcome = try await raced.run()
            #expect(outcome.failures.isEmpty && outcome.updated == 0 && outcome.changedSinceRead == 1, "\(outcome)")
            #expect(raced.lines.withLock { $0 }.contains { $0.contains("its copy changed in the destination after this run read it; the next run reads it again") })
            let copies = await world.sinkEvents().compactMap { $0["summary"]?.string }
            #expect(copies.filter { $0 == "Edited by hand" }.count == 1 && !copies.contains("1:1 (agenda: review)"), "the edit made in between stays: \(copies)")

            // The next run reads the copy as it is now and, as any full reconciliation, rewrites it from its original.
            let next = try await Job(world, .full).run()
            #expect(next.updated == 1 && next.changedSinceRead == 0)
            try await Self.expectFollows(world, "after the next run")
        }
    }
}
