import FeedClient
import Fluent
import Foundation
@testable import GoogleEmulator
import SyncboardCore
import Testing
import Vapor
@testable import SyncboardApp

/// A published calendar as a read-only member of a group (issue 29): its events become blocks in every writable
/// member, nothing is written into it, and the group form offers it saying so.
@Suite("Published calendars: a read-only member of a group")
struct FeedGroupTests {
    static let family = FeedTests.family
    static let work = "work-ada@group.calendar.google.com"

    @Test("a group of a feed and two Google calendars: the feed's events block both, the Google calendars' events block each other, nothing goes to the feed; a second run writes nothing",
          arguments: TestDatabase.all)
    func feedMember(database: TestDatabase) async throws {
        try await FeedTestServer.with(FeedTestServer.calendar([("match-1", "Match vs Rovers", 2)])) { server in
            try await LinkedAda.with(on: database, calendars: [.init(Self.family, "Family", .home), .init(Self.work, "Work", .work)]) { app, ada in
                let feeds = app.allowPrivateFeeds()
                let feed = try await FeedStore(db: app.db, vault: app.syncboard.vault)
                    .add(userID: try ada.user.requireID(), feed: try FeedURL(server.url()), credentials: nil, name: "Club", refreshMinutes: 5)
                try await MicrosoftJobsTests.googleEvent(ada.state, Self.family, "Dentist", inDays: 1)
                try await MicrosoftJobsTests.googleEvent(ada.state, Self.work, "Standup", inDays: 3)
                // Through the job service, as the form and the API save it: a feed member is accepted.
                let job = try await JobService(db: app.db, userID: try ada.user.requireID()).create(.group(
                    name: "Ada's week", members: [try feed.requireID(), try ada.calendar(Self.family).requireID(), try ada.calendar(Self.work).requireID()],
                    transformers: [ConfiguredStep(name: "KeepTitle")], cadence: .hourly)).job
                let executor = BuiltinRunExecutor(db: app.db, configuration: app.syncboard.configuration, vault: app.syncboard.vault,
                                                  google: app.syncboard.google, feeds: feeds)
                let (first, log) = try await BuiltinRunExecutorTests.execute(try job.requireID(), with: executor, app: app)
                #expect(first.status == .succeeded, "\(log)")
                // 3 members, 4 directions: feed → Family, feed → Work, Family → Work, Work → Family; none into the feed.
                let legs = first.legs ?? []
                #expect(legs.count == 4 && legs.allSatisfy { $0.destinationCalendarID != feed.id }, "\(legs)")
                #expect(first.created == 4, "\(log)")
                #expect(log.contains { $0.contains("a published calendar only read, nothing written into it") }, "\(log)")
                #expect(await MicrosoftJobsTests.googleTitles(ada.state, Self.family) == ["Dentist", "Match vs Rovers", "Standup"])
                #expect(await MicrosoftJobsTests.googleTitles(ada.state, Self.work) == ["Dentist", "Match vs Rovers", "Standup"])
                #expect(server.requests >= 1)

                // The feed's event changes: both blocks follow; nothing else is written.
                server.serve(FeedTestServer.calendar([("match-1", "Match vs Rovers (moved)", 2)]))
                let (second, secondLog) = try await BuiltinRunExecutorTests.execute(try job.requireID(), with: executor, app: app)
                #expect(second.status == .succeeded && second.updated == 2 && second.created == 0 && second.deleted == 0, "\(secondLog)")
                #expect(await MicrosoftJobsTests.googleTitles(ada.state, Self.work) == ["Dentist", "Match vs Rovers (moved)", "Standup"])
                let (third, thirdLog) = try await BuiltinRunExecutorTests.execute(try job.requireID(), with: executor, app: app)
                #expect(third.status == .succeeded && (third.created ?? 0) == 0 && (third.updated ?? 0) == 0 && (third.deleted ?? 0) == 0, "\(thirdLog)")
            }
        }
    }

    @Test("the group form offers a published calendar saying it is read only; a group of feeds alone is refused next to the field")
    func formAndValidation() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let user = try await Fixtures.user(app.db)
            let account = try await Fixtures.account(app.db, user: user, subject: "3001", email: "ada@example.com")
            let google = try await Fixtures.calendar(app.db, account: account, googleID: "work@example.com")
            let store = FeedStore(db: app.db, vault: app.syncboard.vault)
            let club = try await store.add(userID: try user.requireID(), feed: try FeedURL("https://example.org/club.ics"), credentials: nil, name: "Club", refreshMinutes: 5)
            let school = try await store.add(userID: try user.requireID(), feed: try FeedURL("https://example.org/school.ics"), credentials: nil, name: "School", refreshMinutes: 5)
            let client = try await SignedInClient.signIn(user, on: app)
            let form = try await client.get("/jobs/new").body.string
            let groupBox = "name=\"members\" value=\"\(try club.requireID().uuidString)\""
            #expect(form.contains(groupBox), "the group's choices offer the feed")
            #expect(form.contains("published calendar, read only: its events block the others; nothing is written into it"))
            #expect(!form.contains("name=\"moreDestinations\" value=\"\(try club.requireID().uuidString)\""), "never offered as a destination")

            let service = JobService(db: app.db, userID: try user.requireID())
            do {
                _ = try await service.validate(.group(name: "Feeds", members: [try club.requireID(), try school.requireID()]))
                Issue.record("a group of feeds alone was accepted")
            } catch let failure as ValidationFailure {
                #expect(failure.fields.contains { $0.field == "members" && $0.message.contains("at least one calendar Syncboard can write to") })
            }
            _ = try await service.validate(.group(name: "Week", members: [try club.requireID(), try google.requireID()]))
        }
    }
}
