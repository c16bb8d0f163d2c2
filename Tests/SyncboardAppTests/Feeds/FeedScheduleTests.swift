import FeedClient
import Fluent
import Foundation
@testable import GoogleEmulator
import Logging
import SyncboardCore
import Testing
import Vapor
@testable import SyncboardApp

/// A feed's refresh interval drives its jobs (issue 29): a job that reads a published calendar runs at the shorter of
/// its cadence and the feed's interval, so a change in the feed reaches the destination within one interval with
/// nobody pressing Run.
@Suite("Published calendars: the refresh interval schedules the job")
struct FeedScheduleTests {
    static let family = FeedTests.family

    @Test("a job's next run is the shorter of its cadence and its feeds' refresh interval; a job without a feed follows its cadence")
    func shorterOfTheTwo() throws {
        let job = SyncJob(userID: UUID(), spec: SyncJobSpec(name: "Club → Family", sourceCalendarID: UUID(), destinationCalendarID: UUID(),
                                                            cadence: .hourly, timeZone: "UTC"))
        job.id = UUID()
        let now = Date()
        let hourly = try #require(job.nextRun(after: now))
        #expect(hourly.timeIntervalSince(now) > 0 && hourly.timeIntervalSince(now) <= 3_600)
        job.feedRefreshMinutes = 5
        #expect(job.nextRun(after: now) == min(hourly, now.addingTimeInterval(300)))
        // A cadence shorter than the feed's interval keeps ruling (a real-time job checks every minute).
        job.cadence = .realtime
        #expect(job.nextRun(after: now, realtimeInterval: 60) == now.addingTimeInterval(60))
        job.feedRefreshMinutes = nil
        job.cadence = .hourly
        #expect(job.nextRun(after: now) == hourly)
    }

    @Test("saving a job that reads feeds keeps the shortest refresh interval on it, in the form's words too", arguments: [TestDatabase.sqlite])
    func savedWithTheInterval(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let user = try await Fixtures.user(app.db)
            let account = try await Fixtures.account(app.db, user: user, subject: "3001", email: "ada@example.com")
            let google = try await Fixtures.calendar(app.db, account: account, googleID: "work@example.com")
            let store = FeedStore(db: app.db, vault: app.syncboard.vault)
            let club = try await store.add(userID: try user.requireID(), feed: try FeedURL("https://example.org/club.ics"), credentials: nil, name: "Club", refreshMinutes: 7)
            let school = try await store.add(userID: try user.requireID(), feed: try FeedURL("https://example.org/school.ics"), credentials: nil, name: "School", refreshMinutes: 3)
            let service = JobService(db: app.db, userID: try user.requireID())
            let now = Date()
            let copy = try await service.create(SyncJobSpec(name: "Club", sourceCalendarID: try club.requireID(), destinationCalendarID: try google.requireID(),
                                                            cadence: .hourly), now: now).job
            #expect(copy.feedRefreshMinutes == 7)
            #expect(try #require(copy.nextRunAt).timeIntervalSince(now) <= 7 * 60 + 1)
            let group = try await service.create(.group(name: "Week", members: [try google.requireID(), try club.requireID(), try school.requireID()])).job
            #expect(group.feedRefreshMinutes == 3)
            let plain = try await service.update(try copy.requireID(), with: SyncJobSpec(name: "Club", sourceCalendarID: try google.requireID(),
                                                                                       destinationCalendarID: try Fixtures.calendar(app.db, account: account, googleID: "home@example.com").requireID())).job
            #expect(plain.feedRefreshMinutes == nil, "no feed any more: the cadence alone")
            let client = try await SignedInClient.signIn(user, on: app)
            let form = try await client.get("/jobs/new")
            #expect(form.body.string.contains("also runs at the feed's refresh interval when that comes sooner"))
        }
    }

    @Test("with a refresh interval of one (shortened) minute, a change in the feed reaches Google without a manual run", arguments: TestDatabase.all)
    func changeArrivesWithinTheInterval(database: TestDatabase) async throws {
        try await FeedTestServer.with(FeedTestServer.calendar([("match-1", "Match vs Rovers", 2)])) { server in
            try await LinkedAda.with(on: database, calendars: [.init(Self.family, "Family", .home)]) { app, ada in
                let feeds = app.allowPrivateFeeds()
                let calendar = try await FeedStore(db: app.db, vault: app.syncboard.vault)
                    .add(userID: try ada.user.requireID(), feed: try FeedURL(server.url()), credentials: nil, name: "Club", refreshMinutes: 1)
                // Hourly: without the feed's interval the job would not run again within the test.
                let job = try await JobService(db: app.db, userID: try ada.user.requireID()).create(SyncJobSpec(
                    name: "Club → Family", sourceCalendarID: try calendar.requireID(), destinationCalendarID: try ada.calendar(Self.family).requireID(),
                    transformers: [ConfiguredStep(name: "KeepTitle")], cadence: .hourly, timeZone: "UTC")).job
                let jobID = try job.requireID()
                #expect(job.feedRefreshMinutes == 1)
                job.nextRunAt = Date()
                try await job.save(on: app.db)
                let executor = BuiltinRunExecutor(db: app.db, configuration: app.syncboard.configuration, vault: app.syncboard.vault,
                                                  google: app.syncboard.google, feeds: feeds)
                // The test's hook: a minute lasts a second, as the app's next-run computation is otherwise the same.
                let scheduler = Scheduler(db: app.db, isPostgres: app.syncboard.configuration.database.isPostgres, settings: SchedulerTests.settings(),
                                          workerID: "feed-test", executor: executor,
                                          nextRun: { job, date in job.nextRun(after: date, feedMinute: 1) }, logger: Logger(label: "test"))
                func titles() async -> [String] { await MicrosoftJobsTests.googleTitles(ada.state, Self.family) }
                try await eventually(timeout: .seconds(90), every: .milliseconds(250), "the first scheduled run copies the feed") {
                    await scheduler.tick()
                    return await titles() == ["Match vs Rovers"]
                }
                try await SchedulerTests.waitUntilIdle(scheduler)
                let scheduled = try #require(try await SyncJob.find(jobID, on: app.db)?.nextRunAt)
                #expect(scheduled.timeIntervalSinceNow < 30, "the next run comes at the feed's interval, not in an hour")

                server.serve(FeedTestServer.calendar([("match-1", "Match vs Rovers (moved to Saturday)", 2)]))
                try await eventually(timeout: .seconds(90), every: .milliseconds(250), "the changed event reaches Google on the schedule") {
                    await scheduler.tick()
                    return await titles() == ["Match vs Rovers (moved to Saturday)"]
                }
                try await SchedulerTests.waitUntilIdle(scheduler)
                await scheduler.shutdown()
                let runs = try await JobRun.query(on: app.db).filter(\.$job.$id == jobID).all()
                #expect(!runs.isEmpty && runs.allSatisfy { $0.trigger != .manual }, "no run was started by hand")
                #expect(server.requests >= 2)
            }
        }
    }
}
