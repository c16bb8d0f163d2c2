import Fluent
import Foundation
@testable import GoogleEmulator
import SyncboardCore
import Testing
import Vapor
@testable import SyncboardApp

/// A job with one source and several destinations on the built-in engine: each destination has its own index,
/// counts and error; one that fails does not stop the others.
@Suite("Several destinations per job")
struct SeveralDestinationsTests {
    static let keepTitle = [ConfiguredStep(name: "KeepTitle")]

    @Test("Work → Family, Team: each destination gets the copies and its own index; then each syncs incrementally",
          arguments: TestDatabase.all)
    func copiesIntoEach(database: TestDatabase) async throws {
        try await SeveralCalendars.with(on: database) { world in
            let job = try await world.createJob(SyncJobSpec(name: "Work everywhere", sourceCalendarID: world.id(SeveralCalendars.work),
                                                            destinationCalendarID: world.id(SeveralCalendars.family),
                                                            moreCalendarIDs: [world.id(SeveralCalendars.team)], transformers: Self.keepTitle))
            try await world.addEvent(SeveralCalendars.work, "Planning", inHours: 24)
            try await world.addEvent(SeveralCalendars.work, "Review", inHours: 48)
            let (first, log) = try await world.run(job)
            #expect(first.status == .succeeded && first.created == 4 && first.syncKind == .full, "\(log)")
            let legs = try #require(first.legs)
            #expect(legs.map(\.destination) == ["Family", "Team"] && legs.allSatisfy { $0.status == .succeeded && $0.created == 2 })
            #expect(await world.titles(SeveralCalendars.family) == ["Planning", "Review"])
            #expect(await world.titles(SeveralCalendars.team) == ["Planning", "Review"])
            #expect(log.contains("→ Work → Team"))
            for destination in [SeveralCalendars.family, SeveralCalendars.team] {
                #expect(try await SyncCopy.query(on: world.app.db).filter(\.$destinationCalendarID == world.id(destination)).count() == 2)
            }

            // An edit reaches both destinations incrementally, each through its own index.
            let review = try #require(await world.events(SeveralCalendars.work).first { $0.title == "Review" })
            _ = try await world.state.changeEvent(calendarID: SeveralCalendars.work, eventID: review.id, patch: ["summary": "Review (moved)"])
            let (edited, _) = try await world.run(job)
            #expect(edited.status == .succeeded && edited.syncKind == .incremental && edited.updated == 2)
            #expect(edited.legs?.map(\.syncKind) == [.incremental, .incremental])
            #expect(await world.titles(SeveralCalendars.team) == ["Planning", "Review (moved)"])

            // A destination taken out of the job: its direction's state is forgotten, the others keep theirs.
            let stored = try #require(try await SyncJob.find(job, on: world.app.db))
            stored.moreCalendarIDs = []
            try await stored.save(on: world.app.db)
            let (single, _) = try await world.run(job)
            #expect(single.status == .succeeded && single.syncKind == .incremental && single.legs == nil)
            #expect(try await SyncState.query(on: world.app.db).count() == 1)
        }
    }

    @Test("several destinations and groups need the built-in engine: auto routes them there, Show config says what CalendarSync would not see")
    func engineChoice() {
        let (a, b, c) = (UUID(), UUID(), UUID())
        let several = SyncJobSpec(name: "Fan out", sourceCalendarID: a, destinationCalendarID: b, moreCalendarIDs: [c])
        let group = SyncJobSpec.group(name: "Group", members: [a, b, c])
        let single = SyncJobSpec(name: "One", sourceCalendarID: a, destinationCalendarID: b)
        #expect(several.needsBuiltinEngine && several.builtinOnlyFields() == ["moreDestinations"])
        #expect(group.needsBuiltinEngine && group.builtinOnlyFields() == ["kind"])
        #expect(!single.needsBuiltinEngine)
        #expect(JobConfigExport.builtinOnlyNote(group).contains("the sync group (CalendarSync copies one calendar into one other; this file is the first direction)"))
        #expect(JobConfigExport.builtinOnlyNote(several).contains("the further destinations"))
        #expect(EngineRouting.problems(with: group, engine: .calendarsync).map(\.field) == ["kind"])
        #expect(EngineRouting.problems(with: group, engine: .auto).isEmpty)
        #expect(group.legs.count == 6 && several.legs.map(\.destination) == [b, c])
    }

    @Test("a destination that fails (its calendar gone from Google) is recorded and the others sync; fixing it syncs it")
    func oneFailing() async throws {
        try await SeveralCalendars.with { world in
            let gone = try await Fixtures.calendar(world.app.db, account: world.accounts[0], googleID: "gone@group.calendar.google.com")
            gone.summary = "Old project"
            try await gone.save(on: world.app.db)
            let job = try await world.createJob(SyncJobSpec(
                name: "Work everywhere", sourceCalendarID: world.id(SeveralCalendars.work), destinationCalendarID: world.id(SeveralCalendars.family),
                moreCalendarIDs: [try gone.requireID(), world.id(SeveralCalendars.team)], transformers: Self.keepTitle))
            try await world.addEvent(SeveralCalendars.work, "Planning", inHours: 24)
            let (outcome, log) = try await world.run(job)
            #expect(outcome.status == .failed && outcome.failureClass == .calendarGone && outcome.created == 2, "\(log)")
            let legs = try #require(outcome.legs)
            #expect(legs.map(\.status) == [.succeeded, .failed, .succeeded])
            #expect(legs[1].destination == "Old project" && legs[1].error?.contains("listing the destination calendar") == true)
            #expect(outcome.errorSummary?.hasPrefix("1 of 3 directions failed; the others synced. “Work” → “Old project”:") == true)
            #expect(await world.titles(SeveralCalendars.family) == ["Planning"])
            #expect(await world.titles(SeveralCalendars.team) == ["Planning"])

            // The calendar is made on Google: the next run fills it, and the others stay incremental.
            await world.state.addCalendar(.init(id: "gone@group.calendar.google.com", summary: "Old project", roles: ["ada@example.com": "owner"]))
            let (fixed, _) = try await world.run(job)
            #expect(fixed.status == .succeeded && fixed.created == 1)
            #expect(fixed.legs?.map(\.syncKind) == [.incremental, .full, .incremental])
            #expect(await world.titles("gone@group.calendar.google.com") == ["Planning"])
        }
    }

    @Test("a destination whose account needs reconnecting: the run says so for that account, the other destination syncs")
    func oneNeedsReconnect() async throws {
        try await SeveralCalendars.with { world in
            let job = try await world.createJob(SyncJobSpec(name: "Work everywhere", sourceCalendarID: world.id(SeveralCalendars.work),
                                                            destinationCalendarID: world.id(SeveralCalendars.family),
                                                            moreCalendarIDs: [world.id(SeveralCalendars.team)], transformers: Self.keepTitle))
            try await world.addEvent(SeveralCalendars.work, "Planning", inHours: 24)
            // Family's account (Ada at home) revoked Syncboard's access on Google.
            await world.state.revokeTokens(ofEmail: LinkedAda.home.email)
            let (outcome, log) = try await world.run(job)
            #expect(outcome.status == .needsReconnect && outcome.failureClass == .reconnect, "\(log)")
            #expect(outcome.reconnectAccountID == (try world.accounts[1].requireID()))
            #expect(outcome.legs?.map(\.status) == [.needsReconnect, .succeeded])
            #expect(await world.titles(SeveralCalendars.team) == ["Planning"])
            #expect(await world.titles(SeveralCalendars.family).isEmpty)
            #expect(!log.joined().contains("ya29"), "no token in the log")
        }
    }
}
