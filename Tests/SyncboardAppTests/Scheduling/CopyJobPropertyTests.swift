import Fluent
import Foundation
@testable import GoogleEmulator
import SyncboardCore
import Testing
import Vapor
@testable import SyncboardApp

/// The copy job's property test (issue 27 §3): random changes to Work's one-off events and recurring series (created,
/// retitled, rescheduled, deleted; one occurrence moved, retitled or cancelled; a cut this-and-following) and to
/// their copies in Family (edited, deleted), interleaved with runs, keep Family holding exactly one copy of each of
/// Work's occurrences, apart from what "What a run restores" lets wait; a fixed point at the end.
@Suite("Copy job: property")
struct CopyJobPropertyTests {
    @Test("property: random changes to originals, series, occurrences and copies, interleaved with runs, keep the copy job sound",
          arguments: [false, true])
    func randomSequences(deletionsStick: Bool) async throws {
        // As SyncGroupTests: fixed seeds, SYNCBOARD_PROPERTY_SEEDS=N more random ones, SYNCBOARD_PROPERTY_SEED=S replays one.
        let environment = ProcessInfo.processInfo.environment
        let extra = Int(environment["SYNCBOARD_PROPERTY_SEEDS"] ?? "") ?? 0
        let replay = (environment["SYNCBOARD_PROPERTY_SEED"]).flatMap(UInt64.init).map { [$0] } ?? []
        for seed in [UInt64(27), 4_711, 19_690_720, 2_840_102_316] + replay + (0..<extra).map({ _ in UInt64.random(in: 0...UInt64(UInt32.max)) }) {
            try await SeveralCalendars.with { world in
                try await Self.drive(world, seed: seed, steps: 30, deletionsStick: deletionsStick)
            }
            // A long random run says how far it got (a failure names its seed in the test's own report).
            if extra > 0 { print("copy-job property: seed \(seed) done (deletions stick: \(deletionsStick))") }
        }
    }

    static let work = SeveralCalendars.work, family = SeveralCalendars.family

    static func drive(_ world: SeveralCalendars, seed: UInt64, steps: Int, deletionsStick: Bool) async throws {
        var random = SplitMix64(seed: seed)
        let job = try await world.createJob(SyncJobSpec(name: "Work → Family", sourceCalendarID: world.id(work), destinationCalendarID: world.id(family),
                                                        transformers: [ConfiguredStep(name: "KeepTitle")], deletionsStick: deletionsStick))
        var counter = 0
        var singles: [String] = [], series: [String] = []
        /// "original id": copies the user deleted (kept deleted when deletions stick; else missing until restored)
        /// and copies the user edited (until their original changes or a full run).
        var deleted: Set<String> = [], edited: Set<String> = [], restorable: Set<String> = []
        var trail: [String] = []
        func title() -> String { counter += 1; return "E\(counter)" }
        let base = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 3_600).rounded() * 3_600)
        func times(_ hours: Int) -> JSONValue {
            let start = base.addingTimeInterval(Double(hours) * 3_600)
            return ["start": ["dateTime": .string(start.formatted(.iso8601)), "timeZone": "UTC"],
                    "end": ["dateTime": .string(start.addingTimeInterval(1_800).formatted(.iso8601)), "timeZone": "UTC"]]
        }
        func changed(_ id: String) { edited.remove(id); restorable.remove(id) }
        // A series change rewrites the copies of the occurrences whose content changed, not those of its exceptions
        // (whose content stays): an edited or deleted occurrence copy stays tolerated until the full run.
        func seriesChanged(_ id: String) {}
        for step in 0..<steps {
            let occurrences = try await RecurringJobsTests.listed(world, work)
            let copies = try await RecurringJobsTests.listed(world, family).filter { $0.copyOf != nil }
            let originalOf = Dictionary(occurrences.map { (SyncGroupTests.syncID(of: $0.id), $0.id) }, uniquingKeysWith: { first, _ in first })
            switch random.next(11) {
            case 0, 1:
                var body = times(1 + random.next(150))
                let name = title()
                body["summary"] = .string(name)
                if random.next(2) == 0 { body["recurrence"] = [.string("RRULE:FREQ=DAILY;COUNT=\(2 + random.next(3))")] }
                let id = try await world.state.addEvent(calendarID: work, body)["id"]!.string!
                if body["recurrence"] == nil { singles.append(id) } else { series.append(id) }
                trail.append("create \(name)\(body["recurrence"] == nil ? "" : " (series)")")
            case 2 where !singles.isEmpty || !series.isEmpty:  // retitle a one-off event or a whole series
                let all = singles + series
                let id = all[random.next(all.count)]
                _ = try await world.state.changeEvent(calendarID: work, eventID: id, patch: ["summary": .string(title())])
                changed(id); seriesChanged(id)
                trail.append("retitle \(id)")
            case 3 where !singles.isEmpty || !series.isEmpty:  // reschedule
                let all = singles + series
                let id = all[random.next(all.count)]
                _ = try await world.state.changeEvent(calendarID: work, eventID: id, patch: times(160 + step))
                changed(id); seriesChanged(id)
                trail.append("reschedule \(id)")
            case 4 where !singles.isEmpty:  // delete a one-off event
                let id = singles.remove(at: random.next(singles.count))
                try await world.state.removeEvent(calendarID: work, eventID: id)
                changed(id); deleted.remove(id)
                trail.append("delete \(id)")
            case 5, 6:  // move, retitle or cancel one occurrence
                let instances = occurrences.filter { $0.id.contains("_") }
                guard !instances.isEmpty else { break }
                let occurrence = instances[random.next(instances.count)]
                let id = occurrence.id
                switch random.next(3) {
                case 0:
                    // Always to another time: a "move" to where the occurrence already is changes nothing a copy shows,
                    // so no run rewrites an edited copy for it (seed 2840102316 moved one onto its own start).
                    var hours = 160 + step
                    if base.addingTimeInterval(Double(hours) * 3_600) == occurrence.start { hours += 1 }
                    _ = try await world.state.changeEvent(calendarID: work, eventID: id, patch: times(hours)); trail.append("move \(id)")
                case 1: _ = try await world.state.changeEvent(calendarID: work, eventID: id, patch: ["summary": .string(title())]); trail.append("retitle \(id)")
                default: try await world.state.removeEvent(calendarID: work, eventID: id); deleted.remove(id); trail.append("cancel \(id)")
                }
                changed(id)
            case 7 where !series.isEmpty:  // cut this-and-following at an occurrence's original start
                let id = series[random.next(series.count)]
                let stamp = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!).year().month().day().dateSeparator(.omitted)
                    .timeSeparator(.omitted).time(includingFractionalSeconds: false)
                let starts = occurrences.compactMap { $0.id.hasPrefix(id + "_") ? try? Date(String($0.id.dropFirst(id.count + 1)), strategy: stamp) : nil }.sorted()
                guard starts.count >= 2 else { break }
                let cut = starts[1 + random.next(starts.count - 1)]
                _ = try await world.state.changeEvent(calendarID: work, eventID: id, patch: [
                    "recurrence": [.string("RRULE:FREQ=DAILY;UNTIL=\(cut.addingTimeInterval(-1).formatted(stamp))")]])
                var body = times(Int(cut.timeIntervalSince(base) / 3_600) + 1)
                body["summary"] = .string(title())
                body["recurrence"] = ["RRULE:FREQ=DAILY;COUNT=2"]
                series.append(try await world.state.addEvent(calendarID: work, body)["id"]!.string!)
                trail.append("cut \(id) at \(cut.formatted(.iso8601))")
            case 8 where !copies.isEmpty:  // edit a copy
                let copy = copies[random.next(copies.count)]
                _ = try await world.state.changeEvent(calendarID: family, eventID: copy.id, patch: ["summary": .string("edited \(title())")])
                if let original = originalOf[copy.copyOf!] { edited.insert(original) }
                trail.append("edit the copy \(copy.id)")
            case 9 where !copies.isEmpty:  // delete a copy
                let copy = copies[random.next(copies.count)]
                try await world.state.removeEvent(calendarID: family, eventID: copy.id)
                if let original = originalOf[copy.copyOf!] { if deletionsStick { deleted.insert(original) } else { restorable.insert(original) } }
                trail.append("delete the copy \(copy.id)")
            default:
                break
            }
            if random.next(2) == 0 || step == steps - 1 {
                let (outcome, log) = try await world.run(job)
                trail.append("run: \(outcome.created ?? 0) created, \(outcome.updated ?? 0) updated, \(outcome.deleted ?? 0) deleted")
                #expect(outcome.status == .succeeded, "seed \(seed): \(trail) \(log)")
                try await check(world, deleted: deleted, edited: edited, restorable: restorable, context: "seed \(seed) after \(trail)")
            }
        }
        // A full reconciliation restores every copy (deletions that stick aside); after it, runs write nothing.
        try await world.makeFullDue()
        _ = try await world.run(job)
        try await check(world, deleted: deleted, edited: [], restorable: [], context: "seed \(seed) after the full run: \(trail)")
        for kind in [SyncKind.full, .incremental] {
            if kind == .full { try await world.makeFullDue() }
            let (outcome, log) = try await world.run(job)
            #expect(outcome.syncKind == kind && outcome.created == 0 && outcome.updated == 0 && outcome.deleted == 0,
                    "seed \(seed): a \(kind) run after the fixed point wrote: \(log)")
        }
    }

    /// Family holds one copy of each of Work's occurrences, at its time and titled as it, except copies the user
    /// deleted (absent when deletions stick, may be absent until restored otherwise) or edited (any title).
    static func check(_ world: SeveralCalendars, deleted: Set<String>, edited: Set<String>, restorable: Set<String>, context: String) async throws {
        let originals = try await RecurringJobsTests.listed(world, work).filter { $0.copyOf == nil }
        let copies = try await RecurringJobsTests.listed(world, family).filter { $0.copyOf != nil }
        let bySyncID = Dictionary(grouping: copies, by: { $0.copyOf! })
        #expect(bySyncID.values.allSatisfy { $0.count == 1 }, "a second copy: \(context)")
        var wanted: Set<String> = []
        for original in originals where !deleted.contains(original.id) {
            let syncID = SyncGroupTests.syncID(of: original.id)
            wanted.insert(syncID)
            guard let copy = bySyncID[syncID]?.first else {
                #expect(restorable.contains(original.id), "no copy of \(original.title) (\(original.id)): \(context)")
                continue
            }
            if !edited.contains(original.id) {
                #expect(copy.title == original.title && copy.start == original.start, "the copy of \(original.title) (\(original.id)): \(context)")
            }
        }
        #expect(Set(bySyncID.keys).isSubset(of: wanted), "copies of nothing (or of a deleted copy's original): \(context)")
    }
}
