import FeedClient
import Fluent
import Foundation
@testable import GoogleEmulator
import SyncboardCore
import Testing
import Vapor
@testable import SyncboardApp

/// Seeing a feed's health (issue 29): the dashboard lists each published calendar (last fetch, HTTP status, 304,
/// events read, next fetch), a failing one with its reason and next step; a feed that keeps failing is told once,
/// by email and signed webhook as a failing job is (the jobs reading it add no notice of their own), and its
/// recovery sends the all-clear.
@Suite("Published calendars: dashboard health and notifications")
struct FeedHealthTests {
    static let family = FeedTests.family

    @Test("a feed failing as many fetches in a row as the failure threshold sends one notice (email and signed webhook), and the job reading it none of its own; the dashboard shows it failing with what to do; the next good fetch closes it with an all-clear",
          arguments: TestDatabase.all)
    func keepsFailingThenRecovers(database: TestDatabase) async throws {
        let receiver = try await WebhookTests.Receiver()
        do {
            try await FeedTestServer.with(FeedTestServer.calendar([("match-1", "Match vs Rovers", 2)])) { server in
                try await LinkedAda.with(on: database, calendars: [.init(Self.family, "Family", .home)]) { app, ada in
                    app.syncboard.configuration.explicitBaseURL = URL(string: "https://sync.example.org")!
                    app.syncboard.configuration.delivery.allowPrivateWebhooks = true
                    let feeds = app.allowPrivateFeeds()
                    let calendar = try await FeedStore(db: app.db, vault: app.syncboard.vault)
                        .add(userID: try ada.user.requireID(), feed: try FeedURL(server.url()), credentials: nil, name: "Club", refreshMinutes: 5)
                    let job = try await JobService(db: app.db, userID: try ada.user.requireID()).create(SyncJobSpec(
                        name: "Club → Family", sourceCalendarID: try calendar.requireID(), destinationCalendarID: try ada.calendar(Self.family).requireID(),
                        cadence: .hourly, timeZone: "UTC")).job
                    let jobID = try job.requireID()
                    _ = try await WebhookTests.endpoint(app, user: ada.user, url: receiver.url)
                    let executor = BuiltinRunExecutor(db: app.db, configuration: app.syncboard.configuration, vault: app.syncboard.vault,
                                                      google: app.syncboard.google, feeds: feeds)
                    let client = try await SignedInClient.signIn(ada.user, on: app)
                    let accountID = calendar.$account.id.uuidString

                    let (first, firstLog) = try await BuiltinRunExecutorTests.execute(jobID, with: executor, app: app)
                    #expect(first.status == .succeeded, "\(firstLog)")
                    var dashboard = try await client.get("/").body.string
                    #expect(dashboard.contains("id=\"feeds\"") && dashboard.contains("dashboard-feed-\(accountID)"))
                    #expect(dashboard.contains("data-health=\"healthy\"") && dashboard.contains("HTTP 200") && dashboard.contains("Next fetch"))
                    #expect(dashboard.contains("; and every 5 minutes for its published calendar"), "the job's schedule names the feed's interval")
                    let api = try await client.api(.GET, "/api/v1/accounts").body.string.replacingOccurrences(of: " ", with: "")
                    #expect(api.contains("\"nextFetchAt\":\"") && api.contains("\"consecutiveFailures\":0"), "\(api)")
                    #expect(try await client.get("/jobs/\(jobID)").body.string.contains(" · next fetch "), "the job page shows the next fetch")

                    // The publisher's server breaks: the body ends before END:VCALENDAR, three runs in a row.
                    server.serve("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
                    for attempt in 1...4 {
                        // Recorded as the scheduler records it: the job fails as often as its feed, and says nothing more.
                        let (failed, log) = try await BuiltinRunExecutorTests.execute(jobID, with: executor, app: app, recorded: true)
                        #expect(failed.status == .failed, "\(log)")
                        let notices = try await Notice.query(on: app.db).all()
                        #expect(notices.count == (attempt < 3 ? 0 : 1), "attempt \(attempt): \(notices.map(\.title))")
                    }
                    let record = try #require(try await FeedSubscriptionRecord.query(on: app.db).first())
                    #expect(record.consecutiveFailures == 4)
                    #expect(try await SyncJob.find(jobID, on: app.db)?.consecutiveFailures == 4, "the job failed each time, and sent no notice of its own")
                    #expect(try await Incident.query(on: app.db).filter(\.$jobID == jobID).count() == 0)
                    let notice = try #require(try await Notice.query(on: app.db).first())
                    #expect(notice.title == "The published calendar “Club” keeps failing (3 fetches in a row)")
                    #expect(notice.accountID == calendar.$account.id && notice.actionPath == "/accounts#feed-card-\(accountID)")
                    #expect(notice.body.contains("The last fetch reported:"))
                    #expect(try await Incident.query(on: app.db).filter(\.$kind == .feedFailing).filter(\.$closedAt == nil).count() == 1)
                    #expect(try await OutboxMessage.query(on: app.db).filter(\.$channel == .email).count() == 1)
                    try await NotificationFixtures.deliverer(app).deliverDue()
                    let request = try #require(receiver.requests.first)
                    #expect(request.headers.first(name: "Syncboard-Signature")?.hasPrefix("v1=") == true)
                    let event = try JSONDecoder().decode(WebhookEvent.self, from: request.body)
                    #expect(event.event == "opened" && event.title.contains("“Club” keeps failing") && event.accountId == accountID.lowercased())
                    #expect(event.action.url == "https://sync.example.org/accounts#feed-card-\(accountID)")

                    dashboard = try await client.get("/").body.string
                    #expect(dashboard.contains("data-health=\"failing\"") && dashboard.contains("Failed 4 fetches in a row"))
                    #expect(dashboard.contains("Check the feed") && dashboard.contains("tries again at the refresh interval"))

                    // Fixed: the next fetch closes the incident and says so, once.
                    server.serve(FeedTestServer.calendar([("match-1", "Match vs Rovers", 2)]))
                    let (recovered, recoveredLog) = try await BuiltinRunExecutorTests.execute(jobID, with: executor, app: app, recorded: true)
                    #expect(recovered.status == .succeeded, "\(recoveredLog)")
                    _ = try await BuiltinRunExecutorTests.execute(jobID, with: executor, app: app)
                    let all = try await Notice.query(on: app.db).sort(\.$createdAt).all()
                    #expect(all.count == 2 && all.last?.event == .resolved && all.last?.title == "All clear: the published calendar “Club” is read again")
                    #expect(try await Incident.query(on: app.db).filter(\.$closedAt == nil).count() == 0)
                    dashboard = try await client.get("/").body.string
                    #expect(!dashboard.contains("data-health=\"failing\"") && !dashboard.contains("Failed 4 fetches in a row"))
                }
            }
        } catch {
            await receiver.stop()
            throw error
        }
        await receiver.stop()
    }
}
