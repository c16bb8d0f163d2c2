import Fluent
import Foundation
@testable import GoogleEmulator
@testable import MicrosoftEmulator
import SyncboardCore
import Testing
import Vapor
@testable import SyncboardApp

/// Jobs with Outlook calendars run by the built-in engine against both emulators (issue 28 §1–3): Outlook → Google and
/// Google → Outlook copy events; Microsoft's rotating refresh tokens are stored with their access token; a revoked
/// Microsoft grant turns the account to "reconnect"; the CalendarSync CLI engine refuses such jobs when they are saved.
@Suite("Jobs with Microsoft 365 calendars")
struct MicrosoftJobsTests {
    static let family = "family@group.calendar.google.com"
    static let personal = "personal@group.calendar.google.com"
    static let outlookWork = "AAMkAdaWork"
    static let outlookTeam = "AAMkAdaTeam"

    struct World {
        let app: Application
        let ada: LinkedAda
        let outlook: LinkedOutlook
        let executor: BuiltinRunExecutor
    }

    /// Ada with Google calendars (Family, Personal: her home account) and Outlook calendars (Work, Team), both
    /// emulators wired, on `database`.
    static func withWorld(on database: TestDatabase, _ body: (World) async throws -> Void) async throws {
        try await LinkedAda.with(on: database, calendars: [.init(family, "Family", .home), .init(personal, "Personal", .home)]) { app, ada in
            try await EmulatedMicrosoft.with { microsoft in
                let outlook = try await LinkedOutlook.link(app, at: microsoft, user: ada.user,
                                                           calendars: [(outlookWork, "Work"), (outlookTeam, "Team")])
                try await body(World(app: app, ada: ada, outlook: outlook, executor: try LinkedOutlook.executor(app)))
            }
        }
    }

    static func job(_ world: World, _ name: String, from source: LinkedCalendar, to destination: LinkedCalendar, prefix: String) async throws -> UUID {
        let job = SyncJob(userID: try world.ada.user.requireID(), spec: SyncJobSpec(
            name: name, sourceCalendarID: try source.requireID(), destinationCalendarID: try destination.requireID(),
            transformers: [ConfiguredStep(name: "KeepTitle"), ConfiguredStep(name: "PrefixTitle", parameters: ["Prefix": .string(prefix)])],
            cadence: .hourly, timeZone: "UTC"))
        try await job.create(on: world.app.db)
        return try job.requireID()
    }

    static func googleEvent(_ state: EmulatorState, _ calendarID: String, _ summary: String, inDays days: Double) async throws {
        let start = Date().addingTimeInterval(days * 86_400)
        _ = try await state.addEvent(calendarID: calendarID, ["summary": .string(summary), "start": ["dateTime": .string(start.formatted(.iso8601))],
                                                              "end": ["dateTime": .string(start.addingTimeInterval(3_600).formatted(.iso8601))]])
    }

    static func googleTitles(_ state: EmulatorState, _ calendarID: String) async -> [String] {
        await state.storedEvents(calendarID: calendarID).filter { $0["status"]?.string != "cancelled" }.compactMap { $0["summary"]?.string }.sorted()
    }

    @Test("an Outlook → Google job and a Google → Outlook job copy events; a later run of the first lists only Outlook's changes", arguments: TestDatabase.all)
    func bothDirections(database: TestDatabase) async throws {
        try await Self.withWorld(on: database) { world in
            let (app, ada, outlook) = (world.app, world.ada, world.outlook)
            try await outlook.outlookEvent(Self.outlookWork, "Board meeting", inDays: 1)
            try await Self.googleEvent(ada.state, Self.personal, "Dentist", inDays: 2)
            let toGoogle = try await Self.job(world, "Outlook → Google", from: outlook.calendar(Self.outlookWork), to: ada.calendar(Self.family), prefix: "[Work] ")
            let toOutlook = try await Self.job(world, "Google → Outlook", from: ada.calendar(Self.personal), to: outlook.calendar(Self.outlookTeam), prefix: "[Home] ")

            let (first, firstLog) = try await BuiltinRunExecutorTests.execute(toGoogle, with: world.executor, app: app)
            #expect(first.status == .succeeded && first.created == 1 && first.syncKind == .full, "\(firstLog)")
            #expect(await Self.googleTitles(ada.state, Self.family) == ["[Work] Board meeting"])

            let (back, backLog) = try await BuiltinRunExecutorTests.execute(toOutlook, with: world.executor, app: app)
            #expect(back.status == .succeeded && back.created == 1, "\(backLog)")
            #expect(await outlook.subjects(Self.outlookTeam) == ["[Home] Dentist"])
            #expect(await outlook.subjects(Self.outlookWork) == ["Board meeting"], "the source is left alone")

            // A second event in Outlook: the next run continues from Graph's delta link and copies only it.
            let second = try await outlook.outlookEvent(Self.outlookWork, "Design review", inDays: 3)
            let (again, againLog) = try await BuiltinRunExecutorTests.execute(toGoogle, with: world.executor, app: app)
            #expect(again.status == .succeeded && again.created == 1 && again.syncKind == .incremental, "\(againLog)")
            #expect(await Self.googleTitles(ada.state, Self.family) == ["[Work] Board meeting", "[Work] Design review"])

            // Deleted in Outlook: its copy goes from Google.
            try await outlook.state.controlDelete(eventID: second)
            let (removed, removedLog) = try await BuiltinRunExecutorTests.execute(toGoogle, with: world.executor, app: app)
            #expect(removed.status == .succeeded && removed.deleted == 1, "\(removedLog)")
            #expect(await Self.googleTitles(ada.state, Self.family) == ["[Work] Board meeting"])

            let log = (firstLog + backLog + againLog + removedLog).joined(separator: "\n")
            #expect(!log.contains("EwA") && !log.contains("M.R3"), "no Microsoft token reaches the log")
        }
    }

    @Test("an Outlook → Outlook job copies between two Outlook calendars, and a clean run removes exactly its copies (recognised by their metadata in Outlook)")
    func outlookToOutlook() async throws {
        try await Self.withWorld(on: .sqlite) { world in
            let (app, outlook) = (world.app, world.outlook)
            try await outlook.outlookEvent(Self.outlookWork, "Board meeting", inDays: 1)
            try await outlook.outlookEvent(Self.outlookTeam, "Team lunch", inDays: 2)
            let job = try await Self.job(world, "Work → Team", from: outlook.calendar(Self.outlookWork), to: outlook.calendar(Self.outlookTeam), prefix: "[Work] ")
            let (synced, log) = try await BuiltinRunExecutorTests.execute(job, with: world.executor, app: app)
            #expect(synced.status == .succeeded && synced.created == 1, "\(log)")
            #expect(await outlook.subjects(Self.outlookTeam) == ["Team lunch", "[Work] Board meeting"])
            let (again, againLog) = try await BuiltinRunExecutorTests.execute(job, with: world.executor, app: app, mode: .dryRun)
            #expect(again.status == .succeeded && again.created == 0 && again.updated == 0, "a listing in full finds the copy as its own: \(againLog)")
            let (clean, cleanLog) = try await BuiltinRunExecutorTests.execute(job, with: world.executor, app: app, mode: .clean)
            #expect(clean.status == .succeeded && clean.deleted == 1, "\(cleanLog)")
            #expect(await outlook.subjects(Self.outlookTeam) == ["Team lunch"], "the team's own event stays")
        }
    }

    @Test("a group of two Google calendars and an Outlook calendar copies each member's events into the others", arguments: TestDatabase.all)
    func mixedGroup(database: TestDatabase) async throws {
        try await Self.withWorld(on: database) { world in
            let (app, ada, outlook) = (world.app, world.ada, world.outlook)
            try await outlook.outlookEvent(Self.outlookWork, "Board meeting", inDays: 1)
            try await Self.googleEvent(ada.state, Self.family, "School play", inDays: 2)
            try await Self.googleEvent(ada.state, Self.personal, "Dentist", inDays: 3)
            let group = SyncJob(userID: try ada.user.requireID(), spec: SyncJobSpec.group(
                name: "Everything", members: [try ada.calendar(Self.family).requireID(), try ada.calendar(Self.personal).requireID(),
                                              try outlook.calendar(Self.outlookWork).requireID()],
                transformers: [ConfiguredStep(name: "KeepTitle")], timeZone: "UTC"))
            try await group.create(on: app.db)
            let (outcome, log) = try await BuiltinRunExecutorTests.execute(try group.requireID(), with: world.executor, app: app)
            #expect(outcome.status == .succeeded && outcome.created == 6 && outcome.legs?.count == 6, "\(log)")
            #expect(await outlook.subjects(Self.outlookWork) == ["Board meeting", "Dentist", "School play"])
            #expect(await Self.googleTitles(ada.state, Self.family) == ["Board meeting", "Dentist", "School play"])
            #expect(await Self.googleTitles(ada.state, Self.personal) == ["Board meeting", "Dentist", "School play"])
            // A second run copies no copy: every member already has every original once.
            let (second, secondLog) = try await BuiltinRunExecutorTests.execute(try group.requireID(), with: world.executor, app: app)
            #expect(second.status == .succeeded && second.created == 0 && second.deleted == 0, "\(secondLog)")
            #expect(await outlook.subjects(Self.outlookWork).count == 3)
        }
    }

    @Test("a refresh stores Microsoft's rotated refresh token in the same save as the new access token, and the next refresh uses it", arguments: TestDatabase.all)
    func rotation(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            try await EmulatedMicrosoft.with { microsoft in
                let user = try await Fixtures.user(app.db)
                let outlook = try await LinkedOutlook.link(app, at: microsoft, user: user, calendars: [(Self.outlookWork, "Work")])
                // Google's seam is not set: a Microsoft account must never be refreshed at Google.
                let tokens = AccessTokenProvider(db: app.db, vault: app.syncboard.vault, google: .unimplemented,
                                                 microsoft: try app.syncboard.requireMicrosoft().auth)
                let original = try await outlook.storedRefreshToken(app)

                let account = try #require(try await LinkedAccount.find(outlook.account.id, on: app.db))
                let first = try await tokens.tokens(for: account, forceRefresh: true)
                let rotated = try await outlook.storedRefreshToken(app)
                #expect(rotated != original && rotated == first.refreshToken, "the replacement is what the vault holds now")
                let stored = try #require(try await LinkedAccount.find(outlook.account.id, on: app.db))
                #expect(try app.syncboard.vault.open(try #require(stored.accessTokenCiphertext), context: stored.vaultContext("access_token")) == first.accessToken)
                // Stored to the database's precision.
                let storedExpiry = try #require(stored.accessTokenExpiresAt)
                #expect(abs(storedExpiry.timeIntervalSince(first.expiresAt)) < 1)
                #expect(await microsoft.state.refreshTokens[original]?.status == .rotated, "Microsoft no longer takes the old one")

                // A fresh read of the account, as the next run would do: its refresh works only with the stored replacement.
                let next = try await tokens.tokens(for: try #require(try await LinkedAccount.find(outlook.account.id, on: app.db)), forceRefresh: true)
                let storedAfterNext = try await outlook.storedRefreshToken(app)
                #expect(next.refreshToken != rotated && next.refreshToken == storedAfterNext)
                #expect(try await LinkedAccount.find(outlook.account.id, on: app.db)?.status == .active)
            }
        }
    }

    @Test("an account refreshed elsewhere since it was read (its refresh token rotated) is refreshed with the stored token, not turned to reconnect", arguments: TestDatabase.all)
    func rotatedElsewhere(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            try await EmulatedMicrosoft.with { microsoft in
                let user = try await Fixtures.user(app.db)
                let outlook = try await LinkedOutlook.link(app, at: microsoft, user: user, calendars: [(Self.outlookWork, "Work")])
                let tokens = AccessTokenProvider(db: app.db, vault: app.syncboard.vault, google: .unimplemented,
                                                 microsoft: try app.syncboard.requireMicrosoft().auth)
                // Two readers of the account (a run, the daily check): the first refreshes, and Microsoft retires the token both read.
                let first = try #require(try await LinkedAccount.find(outlook.account.id, on: app.db))
                let second = try #require(try await LinkedAccount.find(outlook.account.id, on: app.db))
                let earlier = try await tokens.tokens(for: first, forceRefresh: true)
                let rotated = try await outlook.storedRefreshToken(app)
                let late = try await tokens.tokens(for: second, forceRefresh: true)
                #expect(late.refreshToken == rotated && late.accessToken == earlier.accessToken, "the other refresh's tokens, read from the vault")
                #expect(try await outlook.storedRefreshToken(app) == rotated)
                #expect(try await LinkedAccount.find(outlook.account.id, on: app.db)?.status == .active)
            }
        }
    }

    @Test("a revoked Microsoft grant ends the run as needs-reconnect for the Outlook account, named as Microsoft's, and the account asks to be reconnected", arguments: TestDatabase.all)
    func revoked(database: TestDatabase) async throws {
        try await Self.withWorld(on: database) { world in
            let (app, ada, outlook) = (world.app, world.ada, world.outlook)
            try await outlook.outlookEvent(Self.outlookWork, "Board meeting", inDays: 1)
            let toGoogle = try await Self.job(world, "Outlook → Google", from: outlook.calendar(Self.outlookWork), to: ada.calendar(Self.family), prefix: "")
            await outlook.state.revokeGrants(ofEmail: LinkedOutlook.ada.email)
            let (outcome, lines) = try await BuiltinRunExecutorTests.execute(toGoogle, with: world.executor, app: app)
            #expect(outcome.status == .needsReconnect && outcome.failureClass == .reconnect, "\(lines)")
            #expect(outcome.reconnectAccountID == outlook.account.id)
            #expect(lines.contains { $0.contains("Microsoft 365 refused Syncboard's access to \(LinkedOutlook.ada.email)") }, "\(lines)")
            #expect(!lines.joined().contains("Google refused"), "the message names the account's own provider")
            let account = try #require(try await LinkedAccount.find(outlook.account.id, on: app.db))
            #expect(account.status == .needsReauth && account.accessTokenCiphertext == nil)
            #expect(account.lastError?.contains("Microsoft 365 refused the refresh token") == true, "\(account.lastError ?? "")")
            #expect(await Self.googleTitles(ada.state, Self.family).isEmpty)
            // The Google account is untouched.
            #expect(try await LinkedAccount.find(ada.accounts[1].id, on: app.db)?.status == .active)
        }
    }

    @Test("a process without Microsoft set up fails a job with an Outlook calendar as a configuration problem, naming Microsoft 365, and leaves the account connected")
    func microsoftNotSetUp() async throws {
        try await Self.withWorld(on: .sqlite) { world in
            let (app, ada, outlook) = (world.app, world.ada, world.outlook)
            try await outlook.outlookEvent(Self.outlookWork, "Board meeting", inDays: 1)
            let toGoogle = try await Self.job(world, "Outlook → Google", from: outlook.calendar(Self.outlookWork), to: ada.calendar(Self.family), prefix: "")
            let withoutMicrosoft = try ada.executor(app)  // Google only, as a process without SYNCBOARD_MICROSOFT_* builds it
            #expect(withoutMicrosoft.microsoft == nil)
            let (outcome, lines) = try await BuiltinRunExecutorTests.execute(toGoogle, with: withoutMicrosoft, app: app)
            #expect(outcome.status == .failed && outcome.failureClass == .configuration, "\(lines)")
            #expect(lines.contains { $0.contains("Microsoft 365 is not set up") }, "\(lines)")
            #expect(try await LinkedAccount.find(outlook.account.id, on: app.db)?.status == .active)
            #expect(await Self.googleTitles(ada.state, Self.family).isEmpty)
        }
    }

    @Test("with SYNCBOARD_ENGINE=calendarsync a job with an Outlook calendar is refused when saved, saying why; the other engines accept it")
    func refusedUnderTheCLIEngine() async throws {
        try await Self.withWorld(on: .sqlite) { world in
            let (app, ada, outlook) = (world.app, world.ada, world.outlook)
            let userID = try ada.user.requireID()
            let copy = SyncJobSpec(name: "Outlook → Google", sourceCalendarID: try outlook.calendar(Self.outlookWork).requireID(),
                                   destinationCalendarID: try ada.calendar(Self.family).requireID())
            let group = SyncJobSpec.group(name: "Mixed", members: [try ada.calendar(Self.family).requireID(), try ada.calendar(Self.personal).requireID(),
                                                                   try outlook.calendar(Self.outlookTeam).requireID()])
            for (spec, field) in [(copy, "source"), (group, "members")] {
                do {
                    _ = try await JobService(db: app.db, userID: userID, engine: .calendarsync).validate(spec)
                    Issue.record("\(spec.name) was accepted under the CalendarSync engine")
                } catch let failure as ValidationFailure {
                    let message = failure.fields.first { $0.field == field }?.message ?? ""
                    #expect(message.contains("Microsoft 365 calendar") && message.contains("built-in engine") && message.contains("SYNCBOARD_ENGINE=calendarsync"),
                            "\(failure.fields)")
                }
                for engine in [AppConfiguration.EngineChoice.auto, .builtin] {
                    _ = try await JobService(db: app.db, userID: userID, engine: engine).validate(spec)
                }
            }
            // A Google-only job is not refused for its provider.
            let googleOnly = SyncJobSpec(name: "Google", sourceCalendarID: try ada.calendar(Self.personal).requireID(), destinationCalendarID: try ada.calendar(Self.family).requireID())
            _ = try await JobService(db: app.db, userID: userID, engine: .calendarsync).validate(googleOnly)
        }
    }
}
