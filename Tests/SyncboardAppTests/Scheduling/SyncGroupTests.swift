import Fluent
import Foundation
@testable import GoogleEmulator
import SyncboardCore
import Testing
import Vapor
@testable import SyncboardApp

/// Sync groups on the built-in engine: N calendars, each one's events copied into all the others, copies never
/// copied again, deletions never coming back, and runs that reach a fixed point.
@Suite("Sync groups")
struct SyncGroupTests {
    static let members = SeveralCalendars.googleIDs

    static func group(_ world: SeveralCalendars, deletionsStick: Bool = false) async throws -> UUID {
        // Copies keep their titles so that a test can tell them apart; a busy block is the same with another title.
        try await world.createJob(.group(name: "Ada's week", members: members.map(world.id), transformers: [ConfiguredStep(name: "KeepTitle")],
                                         cadence: .realtime, deletionsStick: deletionsStick))
    }

    static func syncID(of originalID: String) -> String { SyncMetadata(originalEventID: originalID, htmlLink: "", calendarHash: "").syncID }

    @Test("a group of three: each calendar's events become blocks in the two others, copies are not copied again, a second run writes nothing",
          arguments: TestDatabase.all)
    func threeCalendars(database: TestDatabase) async throws {
        try await SeveralCalendars.with(on: database) { world in
            let job = try await Self.group(world)
            try await world.addEvent(SeveralCalendars.work, "Standup", inHours: 20)
            try await world.addEvent(SeveralCalendars.family, "Dentist", inHours: 30)
            let retro = try await world.addEvent(SeveralCalendars.team, "Retro", inHours: 40)
            let (first, log) = try await world.run(job)
            #expect(first.status == .succeeded && first.created == 6 && first.legs?.count == 6, "\(log)")
            for calendar in Self.members {
                #expect(await world.titles(calendar) == ["Dentist", "Retro", "Standup"], "\(calendar)")
            }
            // The copies the first directions wrote are in the later directions' sources: they are not copied again.
            #expect(log.contains("2 events are copies from other calendars and are not copied again"))

            let (second, secondLog) = try await world.run(job)
            #expect(second.brief == "succeeded incremental +0 ~0 -0", "\(secondLog)")

            // An edit propagates to both copies; a deletion removes both; neither comes back.
            let dentist = try #require(await world.events(SeveralCalendars.family).first { $0.title == "Dentist" && $0.copyOf == nil })
            _ = try await world.state.changeEvent(calendarID: SeveralCalendars.family, eventID: dentist.id, patch: ["summary": "Dentist (moved)"])
            try await world.state.removeEvent(calendarID: SeveralCalendars.team, eventID: retro)
            let (third, _) = try await world.run(job)
            #expect(third.updated == 2 && third.deleted == 2 && third.created == 0)
            for calendar in Self.members {
                #expect(await world.titles(calendar) == ["Dentist (moved)", "Standup"], "\(calendar)")
            }
            try await world.makeFullDue()
            let (full, _) = try await world.run(job)
            #expect(full.syncKind == .full && full.created == 0 && full.updated == 0 && full.deleted == 0)
        }
    }

    @Test("a dry run of a group writes nothing and says what it would do; a clean-up removes every copy and keeps the originals")
    func dryRunAndCleanUp() async throws {
        try await SeveralCalendars.with { world in
            let job = try await Self.group(world)
            try await world.addEvent(SeveralCalendars.work, "Standup", inHours: 20)
            try await world.addEvent(SeveralCalendars.family, "Dentist", inHours: 30)
            let (dry, dryLog) = try await world.run(job, mode: .dryRun)
            #expect(dry.status == .succeeded && dry.created == 4 && dry.legs?.count == 6 && dry.syncKind == nil)
            #expect(dryLog.filter { $0 == "dry run: nothing was written" }.count == 6)
            #expect(await world.titles(SeveralCalendars.team).isEmpty)
            _ = try await world.run(job)
            #expect(await world.titles(SeveralCalendars.team) == ["Dentist", "Standup"])
            let (cleaned, _) = try await world.run(job, mode: .clean)
            #expect(cleaned.status == .succeeded && cleaned.deleted == 4)
            #expect(await world.titles(SeveralCalendars.work) == ["Standup"])
            #expect(await world.titles(SeveralCalendars.family) == ["Dentist"])
            #expect(await world.titles(SeveralCalendars.team).isEmpty)
        }
    }

    @Test("a copy deleted or edited in a member calendar waits, as in every job, for the next full reconciliation, which makes it again and rewrites the edited one (deletions that stick off) or keeps it deleted (on)",
          arguments: [false, true])
    func deletedCopy(deletionsStick: Bool) async throws {
        try await SeveralCalendars.with { world in
            let job = try await Self.group(world, deletionsStick: deletionsStick)
            try await world.addEvent(SeveralCalendars.work, "Standup", inHours: 20)
            try await world.addEvent(SeveralCalendars.work, "Review", inHours: 22)
            _ = try await world.run(job)
            let copy = try #require(await world.events(SeveralCalendars.team).first { $0.copyOf != nil && $0.title == "Standup" })
            try await world.state.removeEvent(calendarID: SeveralCalendars.team, eventID: copy.id)
            let edited = try #require(await world.events(SeveralCalendars.family).first { $0.copyOf != nil && $0.title == "Review" })
            _ = try await world.state.changeEvent(calendarID: SeveralCalendars.family, eventID: edited.id, patch: ["summary": "Review (by hand)"])
            let (quiet, quietLog) = try await world.run(job)
            #expect(quiet.status == .succeeded && quiet.syncKind == .incremental && quiet.created == 0 && quiet.updated == 0, "\(quietLog)")
            #expect(await world.titles(SeveralCalendars.team) == ["Review"], "the deleted copy waits for a full reconciliation")
            #expect(await world.titles(SeveralCalendars.family) == ["Review (by hand)", "Standup"], "so does the edited one")
            #expect(try await SyncTombstone.query(on: world.app.db).count() == 0)

            try await world.makeFullDue()
            let (outcome, log) = try await world.run(job)
            #expect(outcome.status == .succeeded && outcome.syncKind == .full && outcome.created == (deletionsStick ? 0 : 1) && outcome.updated == 1, "\(log)")
            #expect(await world.titles(SeveralCalendars.team) == (deletionsStick ? ["Review"] : ["Review", "Standup"]))
            #expect(await world.titles(SeveralCalendars.family) == ["Review", "Standup"])
            #expect(try await SyncTombstone.query(on: world.app.db).count() == (deletionsStick ? 1 : 0))
        }
    }

    @Test("a change made while the group runs is picked up by the next run (one run of a job at a time is the scheduler's rule)")
    func changeDuringRun() async throws {
        try await SeveralCalendars.with { world in
            let job = try await Self.group(world)
            try await world.addEvent(SeveralCalendars.work, "Standup", inHours: 20)
            _ = try await world.run(job)
            await world.state.clearRequestLog()
            await world.state.setLatency(.milliseconds(200))
            let running = Task { try await world.run(job) }
            // Both of Work's directions have read its changes; the run goes on with the other members.
            let workEvents = "/calendar/v3/calendars/\(SeveralCalendars.work)/events"
            let deadline = Date().addingTimeInterval(30)
            while await world.state.requests(method: "GET").filter({ $0.path.removingPercentEncoding == workEvents }).count < 2 {
                let seen = await world.state.requests().map(\.path)
                try #require(Date() < deadline, "Work's directions did not read its changes: \(seen)")
                try await Task.sleep(for: .milliseconds(20))
            }
            try await world.addEvent(SeveralCalendars.work, "Late", inHours: 30)
            let (during, _) = try await running.value
            await world.state.setLatency(.zero)
            #expect(during.status == .succeeded && during.created == 0)
            let (next, _) = try await world.run(job)
            #expect(next.syncKind == .incremental && next.created == 2)
            #expect(await world.titles(SeveralCalendars.team) == ["Late", "Standup"])
        }
    }

    /// What the property test expects: the live originals, and what the user did to copies.
    struct Model {
        var originals: [String: (calendar: String, title: String)] = [:]
        /// Each original's creation number.
        var created: [String: Int] = [:]
        var deleted: Set<String> = []
        /// "originalID|calendar": copies the user deleted (kept deleted when deletions stick) or edited (until the
        /// original changes, or a full reconciliation rewrites them).
        var deletedCopies: Set<String> = []
        var editedCopies: Set<String> = []
        /// Each original's calendar as the last run saw it. A deletion sticks while the original stays in its
        /// calendar; a move (seen by a run) places the event anew, and a copy deleted after a move the runs have
        /// not seen yet is a copy from the calendar it left, which the run deletes anyway.
        var calendarAtLastRun: [String: String] = [:]
        /// Copies deleted since the last run (deletions that stick), decided by the run that sees them.
        var pendingCopyDeletions: [(original: String, calendar: String)] = []
        /// Recurring series by id, with their calendar: their occurrences are originals too (ids "<series>_<start>"),
        /// whose set the emulator's listing gives.
        var series: [String: String] = [:]
        /// "originalID|calendar": copies the user deleted (deletions that stick off) that no run has restored yet.
        /// As in every job, the next full reconciliation restores them, or an earlier run that rewrites the copy
        /// because its original changed or moved; until then a copy may be missing.
        var restorable: Set<String> = []

        /// What a run does to the expectations: an original in another calendar than at the last run is placed
        /// anew (its deleted and edited copies are made again from there; moved away and back, it is where it was);
        /// a copy deleted since sticks if its original is where it was.
        /// - Parameter occurrences: the ids of the series' occurrences now.
        mutating func ran(occurrences: Set<String>) {
            let moved = Set(originals.filter { id, original in calendarAtLastRun[id].map { $0 != original.calendar } ?? false }.keys)
            // Its copies are made anew from where it is now: deleted and edited ones alike.
            deletedCopies = deletedCopies.filter { !moved.contains(String($0.prefix { $0 != "|" })) }
            editedCopies = editedCopies.filter { !moved.contains(String($0.prefix { $0 != "|" })) }
            restorable = restorable.filter { !moved.contains(String($0.prefix { $0 != "|" })) }
            for deletion in pendingCopyDeletions where (originals[deletion.original] != nil || occurrences.contains(deletion.original))
                && !moved.contains(deletion.original) {
                deletedCopies.insert("\(deletion.original)|\(deletion.calendar)")
            }
            pendingCopyDeletions = []
            calendarAtLastRun = originals.mapValues(\.calendar)
        }

        mutating func originalChanged(_ id: String) {
            editedCopies = editedCopies.filter { !$0.hasPrefix(id + "|") }
            restorable = restorable.filter { !$0.hasPrefix(id + "|") }
        }

        /// A series rescheduled: its occurrences changed, except those at a start the new schedule also has (moved
        /// by whole days, a daily series keeps some occurrences, ids and all), whose originals did not change, so
        /// their edited or deleted copies wait for a full reconciliation as before (seed 2586611657).
        mutating func seriesChanged(_ id: String, unchanged: Set<String>) {
            func changed(_ key: String) -> Bool { key.hasPrefix(id + "_") && !unchanged.contains(String(key.prefix { $0 != "|" })) }
            editedCopies = editedCopies.filter { !changed($0) }
            restorable = restorable.filter { !changed($0) }
        }

        /// An original (or occurrence) gone: nothing of its copies is expected any more.
        mutating func originalGone(_ id: String) {
            originalChanged(id)
            deletedCopies = deletedCopies.filter { !$0.hasPrefix(id + "|") }
        }
    }

    @Test("property: random creates, edits, moves and deletes of originals and copies, and recurring series (created, rescheduled, one occurrence moved, retitled or cancelled, cut this-and-following), interleaved with runs, keep the group sound",
          arguments: [false, true])
    func randomSequences(deletionsStick: Bool) async throws {
        // Fixed seeds keep the suite repeatable; SYNCBOARD_PROPERTY_SEEDS=N adds N random ones, and
        // SYNCBOARD_PROPERTY_SEED=S replays one (each failure names its seed, which can then join the fixed ones).
        let environment = ProcessInfo.processInfo.environment
        let extra = Int(environment["SYNCBOARD_PROPERTY_SEEDS"] ?? "") ?? 0
        let replay = (environment["SYNCBOARD_PROPERTY_SEED"]).flatMap(UInt64.init).map { [$0] } ?? []
        for seed in [UInt64(16), 1_202, 90_210, 2_955_202_083, 2_208_181_314, 3_111_007_518, 2_586_611_657] + replay + (0..<extra).map({ _ in UInt64.random(in: 0...UInt64(UInt32.max)) }) {
            try await SeveralCalendars.with { world in
                try await Self.drive(world, seed: seed, steps: 40, deletionsStick: deletionsStick)
            }
            // A long random run says how far it got (a failure names its seed in the test's own report).
            if extra > 0 { print("group property: seed \(seed) done (deletions stick: \(deletionsStick))") }
        }
    }

    static func drive(_ world: SeveralCalendars, seed: UInt64, steps: Int, deletionsStick: Bool) async throws {
        var random = SplitMix64(seed: seed)
        var model = Model()
        var counter = 0
        let job = try await group(world, deletionsStick: deletionsStick)
        var trail: [String] = []
        func title() -> String { counter += 1; return "E\(counter)" }
        let base = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 3_600).rounded() * 3_600)
        func times(_ hours: Int, zoned: Bool = false) -> JSONValue {
            let start = base.addingTimeInterval(Double(hours) * 3_600)
            var times: JSONValue = ["start": ["dateTime": .string(start.formatted(.iso8601))], "end": ["dateTime": .string(start.addingTimeInterval(1_800).formatted(.iso8601))]]
            // A series' times name their zone (Google refuses a recurring event without one).
            if zoned { times["start"]?["timeZone"] = "UTC"; times["end"]?["timeZone"] = "UTC" }
            return times
        }
        for step in 0..<steps {
            // In creation order (event ids are random, so sorting them would not replay a seed).
            let live = model.originals.keys.sorted { model.created[$0]! < model.created[$1]! }
            let liveSeries = model.series.keys.sorted { model.created[$0]! < model.created[$1]! }
            let copies = await allCopies(world)
            switch random.next(13) {
            case 0, 1, 2:  // create an original
                let calendar = members[random.next(3)]
                let name = title()
                var body = times(1 + random.next(200))
                body["summary"] = .string(name)
                let id = try await world.state.addEvent(calendarID: calendar, body)["id"]!.string!
                model.originals[id] = (calendar, name)
                model.created[id] = counter
                trail.append("create \(name) in \(calendar)")
            case 3 where !live.isEmpty:  // edit an original's title
                let id = live[random.next(live.count)]
                let name = title()
                _ = try await world.state.changeEvent(calendarID: model.originals[id]!.calendar, eventID: id, patch: ["summary": .string(name)])
                trail.append("rename \(model.originals[id]!.title) to \(name)")
                model.originals[id]!.title = name
                model.originalChanged(id)
            case 4 where !live.isEmpty:  // move an original in time
                let id = live[random.next(live.count)]
                // Always a time it never had (creates use hours 1 to 200), so that its copies must be rewritten.
                _ = try await world.state.changeEvent(calendarID: model.originals[id]!.calendar, eventID: id, patch: times(201 + step))
                trail.append("reschedule \(model.originals[id]!.title)")
                model.originalChanged(id)
            case 5 where !live.isEmpty:  // move an original to another member calendar (Google's events.move)
                let id = live[random.next(live.count)]
                let from = model.originals[id]!.calendar
                let to = members.filter { $0 != from }[random.next(2)]
                try await world.state.moveEvent(calendarID: from, eventID: id, to: to)
                trail.append("move \(model.originals[id]!.title) to \(to)")
                model.originals[id]!.calendar = to
            case 6 where !live.isEmpty:  // delete an original
                let id = live[random.next(live.count)]
                try await world.state.removeEvent(calendarID: model.originals[id]!.calendar, eventID: id)
                trail.append("delete \(model.originals[id]!.title)")
                model.originals[id] = nil
                model.deleted.insert(id)
                model.originalChanged(id)
                model.deletedCopies = model.deletedCopies.filter { !$0.hasPrefix(id + "|") }
            case 7 where !copies.isEmpty:  // edit or reschedule a copy
                let copy = copies[random.next(copies.count)]
                var patch = random.next(2) == 0 ? times(1 + random.next(200)) : [:]
                patch["summary"] = .string("edited \(title())")
                _ = try await world.state.changeEvent(calendarID: copy.calendar, eventID: copy.id, patch: patch)
                trail.append("edit the copy of \(copy.originalTitle) in \(copy.calendar)")
                if let original = copy.original { model.editedCopies.insert("\(original)|\(copy.calendar)") }
            case 8 where !copies.isEmpty:  // delete a copy
                let copy = copies[random.next(copies.count)]
                try await world.state.removeEvent(calendarID: copy.calendar, eventID: copy.id)
                trail.append("delete the copy of \(copy.originalTitle) in \(copy.calendar)")
                if let original = copy.original {
                    if deletionsStick { model.pendingCopyDeletions.append((original, copy.calendar)) } else { model.restorable.insert("\(original)|\(copy.calendar)") }
                }
            case 9:  // create a daily series of 2 to 4 occurrences
                let calendar = members[random.next(3)]
                let name = title()
                var body = times(1 + random.next(150), zoned: true)
                body["summary"] = .string(name)
                body["recurrence"] = [.string("RRULE:FREQ=DAILY;COUNT=\(2 + random.next(3))")]
                let id = try await world.state.addEvent(calendarID: calendar, body)["id"]!.string!
                model.series[id] = calendar
                model.created[id] = counter
                trail.append("create series \(name) in \(calendar)")
            case 10 where !liveSeries.isEmpty:  // reschedule a series: new occurrences, the old ones cancelled
                let id = liveSeries[random.next(liveSeries.count)]
                let before = Set(await listed(world, model.series[id]!).map(\.id).filter { $0.hasPrefix(id + "_") })
                _ = try await world.state.changeEvent(calendarID: model.series[id]!, eventID: id, patch: times(201 + step, zoned: true))
                let after = Set(await listed(world, model.series[id]!).map(\.id).filter { $0.hasPrefix(id + "_") })
                trail.append("reschedule series \(id)")
                model.seriesChanged(id, unchanged: before.intersection(after))
            case 11 where !liveSeries.isEmpty:  // move, retitle or cancel one occurrence
                let id = liveSeries[random.next(liveSeries.count)]
                let calendar = model.series[id]!
                let occurrences = await listed(world, calendar).filter { $0.id.hasPrefix(id + "_") }
                guard !occurrences.isEmpty else { break }
                let occurrence = occurrences[random.next(occurrences.count)]
                switch random.next(3) {
                case 0:
                    _ = try await world.state.changeEvent(calendarID: calendar, eventID: occurrence.id, patch: times(201 + step, zoned: true))
                    trail.append("move occurrence \(occurrence.id)")
                    model.originalChanged(occurrence.id)
                case 1:
                    let name = title()
                    _ = try await world.state.changeEvent(calendarID: calendar, eventID: occurrence.id, patch: ["summary": .string(name)])
                    trail.append("retitle occurrence \(occurrence.id) to \(name)")
                    model.originalChanged(occurrence.id)
                default:
                    try await world.state.removeEvent(calendarID: calendar, eventID: occurrence.id)
                    trail.append("cancel occurrence \(occurrence.id)")
                    model.originalGone(occurrence.id)
                }
            case 12 where !liveSeries.isEmpty:  // cut this-and-following: the series ends, a new one goes on an hour later
                let id = liveSeries[random.next(liveSeries.count)]
                let calendar = model.series[id]!
                // The occurrences' original starts, from their ids ("<series>_20261207T080000Z").
                let stamp = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!).year().month().day()
                    .dateSeparator(.omitted).timeSeparator(.omitted).time(includingFractionalSeconds: false)
                let starts = await listed(world, calendar).compactMap { $0.id.hasPrefix(id + "_") ? try? Date(String($0.id.dropFirst(id.count + 1)), strategy: stamp) : nil }.sorted()
                guard starts.count >= 2 else { break }
                let cut = 1 + random.next(starts.count - 1)
                let cutAt = starts[cut]
                let until = cutAt.addingTimeInterval(-1).formatted(stamp)
                _ = try await world.state.changeEvent(calendarID: calendar, eventID: id, patch: ["recurrence": [.string("RRULE:FREQ=DAILY;UNTIL=\(until)")]])
                let name = title()
                var body = times(Int(cutAt.timeIntervalSince(base) / 3_600) + 1, zoned: true)
                body["summary"] = .string(name)
                body["recurrence"] = [.string("RRULE:FREQ=DAILY;COUNT=\(starts.count - cut)")]
                let following = try await world.state.addEvent(calendarID: calendar, body)["id"]!.string!
                model.series[following] = calendar
                model.created[following] = counter
                trail.append("cut series \(id) at its occurrence \(cut + 1): following as \(name)")
            default:
                break
            }
            // Runs come between some changes and after others at once.
            if random.next(2) == 0 || step == steps - 1 {
                let (outcome, log) = try await world.run(job)
                model.ran(occurrences: await occurrenceIDs(world))
                trail.append("run: \(outcome.created ?? 0) created, \(outcome.updated ?? 0) updated, \(outcome.deleted ?? 0) deleted")
                #expect(outcome.status == .succeeded, "seed \(seed): \(trail) \(log)")
                try await check(world, model, deletionsStick: deletionsStick, strictTitles: false, context: "seed \(seed) after \(trail)")
            }
        }
        // A full reconciliation rewrites edited copies and restores deleted ones; after it, runs write nothing.
        try await world.makeFullDue()
        _ = try await world.run(job)
        model.ran(occurrences: await occurrenceIDs(world))
        model.restorable = []
        try await check(world, model, deletionsStick: deletionsStick, strictTitles: true, context: "seed \(seed), after the full run")
        for kind in [SyncKind.full, .incremental] {
            if kind == .full { try await world.makeFullDue() }
            let (outcome, log) = try await world.run(job)
            #expect(outcome.syncKind == kind && outcome.created == 0 && outcome.updated == 0 && outcome.deleted == 0,
                    "seed \(seed): a \(kind) run after the fixed point wrote: \(log)")
        }
    }

    struct Copy {
        let calendar: String
        let id: String
        let original: String?
        let originalTitle: String
    }

    /// Every copy in the group's calendars, with the original it names (nil: none known).
    static func allCopies(_ world: SeveralCalendars) async -> [Copy] {
        var originals: [String: (String, String)] = [:]
        var copies: [(String, String, String)] = []
        for calendar in members {
            for event in await listed(world, calendar) {
                if let syncID = event.copyOf { copies.append((calendar, event.id, syncID)) } else { originals[syncID(of: event.id)] = (event.id, event.title) }
            }
        }
        return copies.map { Copy(calendar: $0.0, id: $0.1, original: originals[$0.2]?.0, originalTitle: originals[$0.2]?.1 ?? "?") }
    }

    /// The group's invariants: each original where the model has it; exactly one copy of it in each other member
    /// (none where the user's deletion sticks), no copy of a copy, nothing deleted back, copies titled as their
    /// original unless the user edited them since.
    /// A series' occurrences are originals as the listing shows them (the emulator's expansion is held to Google's
    /// contract by its own tests): each gets its copies like a one-off event.
    static func check(_ world: SeveralCalendars, _ model: Model, deletionsStick: Bool, strictTitles: Bool, context: @autoclosure () -> String) async throws {
        var listings: [String: [(id: String, title: String, copyOf: String?)]] = [:]
        for calendar in members { listings[calendar] = await listed(world, calendar) }
        for calendar in members {
            let events = listings[calendar]!
            let originals = Set(events.filter { $0.copyOf == nil && !$0.id.contains("_") }.map(\.id))
            #expect(originals == Set(model.originals.filter { $0.value.calendar == calendar }.keys), "originals in \(calendar): \(context())")
            #expect(originals.isDisjoint(with: model.deleted), "a deleted original came back in \(calendar): \(context())")
            let seriesHere = Set(events.filter { $0.copyOf == nil && $0.id.contains("_") }.map { String($0.id.prefix { $0 != "_" }) })
            #expect(seriesHere.isSubset(of: Set(model.series.filter { $0.value == calendar }.keys)), "series in \(calendar): \(context())")
            var wanted: [(id: String, title: String)] = model.originals.filter { $0.value.calendar != calendar }.map { ($0.key, $0.value.title) }
            for other in members where other != calendar {
                wanted += listings[other]!.filter { $0.copyOf == nil && $0.id.contains("_") }.map { ($0.id, $0.title) }
            }
            var expected: [String: String] = [:]  // syncID → title
            var optional: Set<String> = []  // copies the user deleted that no run has restored yet
            for (id, title) in wanted where !model.deletedCopies.contains("\(id)|\(calendar)") {
                let titled = strictTitles || !model.editedCopies.contains("\(id)|\(calendar)")
                expected[syncID(of: id)] = titled ? title : "*"
                if model.restorable.contains("\(id)|\(calendar)") { optional.insert(syncID(of: id)) }
            }
            let copies = events.filter { $0.copyOf != nil }
            let counted = Dictionary(grouping: copies, by: { $0.copyOf! })
            #expect(Set(expected.keys).subtracting(optional).isSubset(of: Set(counted.keys)) && Set(counted.keys).isSubset(of: Set(expected.keys)),
                    "copies in \(calendar): \(context())")
            #expect(counted.values.allSatisfy { $0.count == 1 }, "a second copy (or a copy of a copy) in \(calendar): \(context())")
            for (syncID, title) in expected where title != "*" && counted[syncID] != nil {
                #expect(counted[syncID]?.first?.title == title, "the copy of \(title) in \(calendar): \(context())")
            }
        }
    }
}

/// A small seeded generator, so that a failing sequence can be replayed from its seed.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}

extension SyncGroupTests {
    /// The calendar's live events as a sync lists them (single events: a series' occurrences, never the series):
    /// id, title, and for a copy the CalendarSync EventID it carries.
    static func listed(_ world: SeveralCalendars, _ calendar: String) async -> [(id: String, title: String, copyOf: String?)] {
        var query = GoogleEmulator.EventQuery()
        query.singleEvents = true
        query.timeMin = Date().addingTimeInterval(-40 * 86_400)
        query.timeMax = Date().addingTimeInterval(60 * 86_400)
        let items = (try? await world.state.listEvents(calendarID: calendar, query: query).items) ?? []
        return items.filter { $0["status"]?.string != "cancelled" }.map { event in
            (event["id"]?.string ?? "", event["summary"]?.string ?? "",
             event["extendedProperties"]?["private"]?["\(SyncMetadata.prefix)\(SyncMetadata.eventIDKey)"]?.string)
        }
    }

    /// The ids of every series' occurrences in the group's calendars.
    static func occurrenceIDs(_ world: SeveralCalendars) async -> Set<String> {
        var ids: Set<String> = []
        for calendar in members { ids.formUnion(await listed(world, calendar).filter { $0.copyOf == nil && $0.id.contains("_") }.map(\.id)) }
        return ids
    }
}
