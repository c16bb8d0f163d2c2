import FeedClient
import Fluent
import Foundation
@testable import GoogleEmulator
import SyncboardCore
import Testing
import Vapor
@testable import SyncboardApp

/// Published calendars in the app (issue 29): added over the accounts page's form (checked once, the credentials
/// sealed and never shown), run as the source of a job into Google, and never offered as a destination.
@Suite("Published calendars (ICS feeds)")
struct FeedTests {
    static let family = "family@group.calendar.google.com"

    @Test("adding a feed over the form: a good address is saved with its credentials sealed; a page that is not a feed is refused next to the field and nothing is saved", arguments: TestDatabase.all)
    func addOverTheForm(database: TestDatabase) async throws {
        CapturedLogs.install()
        try await FeedTestServer.with(FeedTestServer.calendar([("a", "Sports day", 2)])) { server in
            try await TestApp.withApp(on: database) { app in
                _ = app.allowPrivateFeeds()
                app.logger.logLevel = .trace  // capture everything the requests log
                let user = try await Fixtures.user(app.db)
                let client = try await SignedInClient.signIn(user, on: app)
                let page = try await client.get("/accounts")
                #expect(page.body.string.contains("Add a published calendar (ICS)"))

                // Not a feed: the error is next to the address, nothing is stored.
                let refused = try await client.post("/accounts/feeds", form: ["url": server.url("/login"), "name": "", "refreshMinutes": "5"])
                #expect(refused.status == .unprocessableEntity)
                #expect(refused.body.string.contains("feed-url-error") && refused.body.string.contains("does not serve an iCalendar feed"))
                #expect(try await FeedSubscriptionRecord.query(on: app.db).count() == 0)
                #expect(try await LinkedAccount.query(on: app.db).filter(\.$provider == .icsFeed).count() == 0)

                // A refresh interval under a minute: next to its field.
                let tooOften = try await client.post("/accounts/feeds", form: ["url": server.url(), "refreshMinutes": "0"])
                #expect(tooOften.status == .unprocessableEntity && tooOften.body.string.contains("feed-refresh-error"))
                #expect(try await FeedSubscriptionRecord.query(on: app.db).count() == 0)

                // A good address with a user name and password: saved, the password sealed, never in the page.
                let secret = "s3cr3t-Pa55"
                let withCredentials = server.url().replacingOccurrences(of: "http://", with: "http://coach:\(secret)@")
                let added = try await client.post("/accounts/feeds", form: ["url": withCredentials, "name": "", "refreshMinutes": "7"])
                #expect(added.status == .seeOther, "\(added.body.string)")
                let record = try #require(try await FeedSubscriptionRecord.query(on: app.db).first())
                #expect(record.name == "School", "the feed's own X-WR-CALNAME when no name is given")
                #expect(record.refreshMinutes == 7)
                #expect(!record.address.contains(secret) && !record.address.contains("coach"))
                let sealed = try #require(record.credentialsCiphertext)
                #expect(!sealed.contains(secret))
                #expect(try app.syncboard.vault.open(sealed, context: FeedSubscriptionRecord.vaultContext(try record.requireID())) == "coach:\(secret)")
                #expect(server.authorizations.last == "Basic " + Data("coach:\(secret)".utf8).base64EncodedString(), "checked with its credentials")
                let calendar = try #require(try await LinkedCalendar.find(record.$calendar.id, on: app.db))
                #expect(calendar.provider == .icsFeed && !calendar.isWritable && calendar.summary == "School")
                let listed = try await client.get("/accounts")
                #expect(listed.body.string.contains("School") && !listed.body.string.contains(secret))
                #expect(CapturedLogs.contains("published calendar added"), "the app's logs were captured")
                #expect(!CapturedLogs.contains(secret), "the feed's password reached the logs")

                // Removed: account, calendar and subscription gone.
                let remove = try await client.post("/accounts/\(calendar.$account.id.uuidString)/remove-feed")
                #expect(remove.status == .seeOther)
                #expect(try await FeedSubscriptionRecord.query(on: app.db).count() == 0)
                #expect(try await LinkedCalendar.find(record.$calendar.id, on: app.db) == nil)
            }
        }
    }

    @Test("the add-feed form refuses a private address (with the default policy) and an address with no feed, next to the address field, saving nothing")
    func addRefusesPrivateAndMissing() async throws {
        try await FeedTestServer.with(FeedTestServer.calendar([("a", "Sports day", 2)])) { server in
            try await TestApp.withApp(on: .sqlite) { app in
                let user = try await Fixtures.user(app.db)
                let client = try await SignedInClient.signIn(user, on: app)
                // SYNCBOARD_FEEDS_ALLOW_PRIVATE is off: a private or metadata address is refused before any request.
                for address in ["https://10.1.2.3/cal.ics", "https://169.254.169.254/latest/meta-data", server.url()] {
                    let refused = try await client.post("/accounts/feeds", form: ["url": address, "name": "", "refreshMinutes": "5"])
                    #expect(refused.status == .unprocessableEntity, "\(address)")
                    #expect(refused.body.string.contains("feed-url-error"), "\(address)")
                }
                let privateAnswer = try await client.post("/accounts/feeds", form: ["url": "https://10.1.2.3/cal.ics", "refreshMinutes": "5"])
                #expect(privateAnswer.body.string.contains("private"), "the page says why: \(privateAnswer.body.string.prefix(200))")
                #expect(server.requests == 0, "nothing was fetched from the loopback test server")
                // With private addresses allowed (as on a home network), an address with nothing there is a 404.
                _ = app.allowPrivateFeeds()
                let missing = try await client.post("/accounts/feeds", form: ["url": server.url("/missing.ics"), "refreshMinutes": "5"])
                #expect(missing.status == .unprocessableEntity && missing.body.string.contains("feed-url-error") && missing.body.string.contains("404"))
                #expect(try await FeedSubscriptionRecord.query(on: app.db).count() == 0)
                #expect(try await LinkedAccount.query(on: app.db).filter(\.$provider == .icsFeed).count() == 0)
            }
        }
    }

    @Test("a feed → Google job copies the feed's events, a changed feed updates the copy, a quiet refresh is one 304 and changes nothing, a truncated feed fails the run and deletes nothing", arguments: TestDatabase.all)
    func feedToGoogle(database: TestDatabase) async throws {
        try await FeedTestServer.with(FeedTestServer.calendar([("match-1", "Match vs Rovers", 2), ("match-2", "Training", 3)])) { server in
            try await LinkedAda.with(on: database, calendars: [.init(Self.family, "Family", .home)]) { app, ada in
                let feeds = app.allowPrivateFeeds()
                let calendar = try await FeedStore(db: app.db, vault: app.syncboard.vault)
                    .add(userID: try ada.user.requireID(), feed: try FeedURL(server.url()), credentials: nil, name: "Club", refreshMinutes: 5)
                let job = SyncJob(userID: try ada.user.requireID(), spec: SyncJobSpec(
                    name: "Club → Family", sourceCalendarID: try calendar.requireID(), destinationCalendarID: try ada.calendar(Self.family).requireID(),
                    transformers: [ConfiguredStep(name: "KeepTitle")], cadence: .hourly, timeZone: "UTC"))
                try await job.create(on: app.db)
                let executor = BuiltinRunExecutor(db: app.db, configuration: app.syncboard.configuration, vault: app.syncboard.vault,
                                                  google: app.syncboard.google, feeds: feeds)
                func titles() async -> [String] { await MicrosoftJobsTests.googleTitles(ada.state, Self.family) }

                let (first, firstLog) = try await BuiltinRunExecutorTests.execute(try job.requireID(), with: executor, app: app)
                #expect(first.status == .succeeded && first.created == 2, "\(firstLog)")
                #expect(await titles() == ["Match vs Rovers", "Training"])
                var record = try #require(try await FeedSubscriptionRecord.query(on: app.db).first())
                #expect(record.lastStatus == 200 && record.lastEventsRead == 2 && record.lastEventCount == 2 && record.lastNotModified == false)

                // The publisher renames an event: the copy is updated.
                server.serve(FeedTestServer.calendar([("match-1", "Match vs Rovers (moved)", 2), ("match-2", "Training", 3)]))
                let (changed, changedLog) = try await BuiltinRunExecutorTests.execute(try job.requireID(), with: executor, app: app)
                #expect(changed.status == .succeeded && changed.updated == 1 && changed.created == 0 && changed.deleted == 0, "\(changedLog)")
                #expect(await titles() == ["Match vs Rovers (moved)", "Training"])

                // Nothing changed: one conditional GET answered 304, no write.
                let before = server.requests
                let (quiet, quietLog) = try await BuiltinRunExecutorTests.execute(try job.requireID(), with: executor, app: app)
                #expect(quiet.status == .succeeded && (quiet.created ?? 0) == 0 && (quiet.updated ?? 0) == 0 && (quiet.deleted ?? 0) == 0, "\(quietLog)")
                #expect(server.requests == before + 1)
                record = try #require(try await FeedSubscriptionRecord.query(on: app.db).first())
                #expect(record.lastStatus == 304 && record.lastNotModified == true)
                // The API shows the feed's health on its calendar.
                let client = try await SignedInClient.signIn(ada.user, on: app)
                let listed = try await client.api(.GET, "/api/v1/accounts")
                #expect(listed.status == .ok)
                let compact = listed.body.string.replacingOccurrences(of: " ", with: "")
                let jobPage = try await client.get("/jobs/\(try job.requireID())")
                #expect(jobPage.body.string.contains("feed-health-") && jobPage.body.string.contains("HTTP 304 (not modified)") && jobPage.body.string.contains("2 events read"))
                #expect(compact.contains("\"lastStatus\":304") && compact.contains("\"notModified\":true") && compact.contains("\"eventsRead\":2"), "\(listed.body.string)")
                #expect(compact.contains("\"consecutiveFailures\":0"), "\(listed.body.string)")

                // Cut before END:VCALENDAR: the run fails saying so, and no copy is deleted.
                let full = FeedTestServer.calendar([("match-1", "Match vs Rovers (moved)", 2), ("match-2", "Training", 3)])
                server.serve(String(full[..<full.range(of: "BEGIN:VEVENT")!.lowerBound]))
                let (cut, cutLog) = try await BuiltinRunExecutorTests.execute(try job.requireID(), with: executor, app: app)
                #expect(cut.status == .failed && (cut.deleted ?? 0) == 0, "\(cutLog)")
                #expect(cut.errorSummary?.contains("incomplete") == true || cut.errorSummary?.contains("no events") == true, "\(cut.errorSummary ?? "")")
                #expect(await titles() == ["Match vs Rovers (moved)", "Training"])
                record = try #require(try await FeedSubscriptionRecord.query(on: app.db).first())
                #expect(record.lastError != nil && record.lastEventCount == 2)
            }
        }
    }

    @Test("a feed offered as a destination is refused with a field error (the form and the API validate alike)")
    func neverADestination() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let user = try await Fixtures.user(app.db)
            let account = try await Fixtures.account(app.db, user: user, subject: "3001", email: "ada@example.com")
            let google = try await Fixtures.calendar(app.db, account: account, googleID: "work@example.com")
            let feed = try await FeedStore(db: app.db, vault: app.syncboard.vault)
                .add(userID: try user.requireID(), feed: try FeedURL("https://example.org/club.ics"), credentials: nil, name: "Club", refreshMinutes: 5)
            let service = JobService(db: app.db, userID: try user.requireID())
            do {
                _ = try await service.validate(SyncJobSpec(name: "Into a feed", sourceCalendarID: try google.requireID(), destinationCalendarID: try feed.requireID()))
                Issue.record("a feed was accepted as a destination")
            } catch let failure as ValidationFailure {
                #expect(failure.fields.contains { $0.field == "destination" && $0.message.contains("published calendar (ICS feed)") })
            }
            // As a source it is fine.
            _ = try await service.validate(SyncJobSpec(name: "From a feed", sourceCalendarID: try feed.requireID(), destinationCalendarID: try google.requireID()))
        }
    }

    @Test("rotate-keys re-encrypts a feed's sealed credentials under the newest key, once", arguments: TestDatabase.all)
    func credentialsRotate(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let oldKeys = TokenVaultTests.keyring("old")
            let oldVault = TokenVault(keyring: oldKeys)
            let user = try await Fixtures.user(app.db)
            let calendar = try await FeedStore(db: app.db, vault: oldVault)
                .add(userID: try user.requireID(), feed: try FeedURL("https://example.org/club.ics"), credentials: "coach:pw", name: "Club", refreshMinutes: 5)
            let newVault = TokenVault(keyring: EncryptionKeyring(keys: oldKeys.keys + TokenVaultTests.keyring("new").keys))
            #expect(try await KeyRotation(db: app.db, vault: newVault).run() == .init(rewritten: 1, alreadyCurrent: 0))
            let record = try #require(try await FeedSubscriptionRecord.query(on: app.db).filter(\.$calendar.$id == calendar.requireID()).first())
            let sealed = try #require(record.credentialsCiphertext)
            #expect(TokenVault.keyID(of: sealed) == "new")
            #expect(try newVault.open(sealed, context: FeedSubscriptionRecord.vaultContext(try record.requireID())) == "coach:pw")
            #expect(try await KeyRotation(db: app.db, vault: newVault).run() == .init(rewritten: 0, alreadyCurrent: 1))
        }
    }

    @Test("a feed that refuses its user name and password fails the run asking to edit the feed's address, not to reconnect an account", arguments: [TestDatabase.sqlite])
    func credentialsRefused(database: TestDatabase) async throws {
        try await FeedTestServer.with(FeedTestServer.calendar([("a", "Match", 2)])) { server in
            try await LinkedAda.with(on: database, calendars: [.init(Self.family, "Family", .home)]) { app, ada in
                let feeds = app.allowPrivateFeeds()
                let calendar = try await FeedStore(db: app.db, vault: app.syncboard.vault)
                    .add(userID: try ada.user.requireID(), feed: try FeedURL(server.url("/locked.ics")), credentials: "coach:wrong", name: "Club", refreshMinutes: 5)
                let job = SyncJob(userID: try ada.user.requireID(), spec: SyncJobSpec(
                    name: "Club → Family", sourceCalendarID: try calendar.requireID(), destinationCalendarID: try ada.calendar(Self.family).requireID(),
                    cadence: .hourly, timeZone: "UTC"))
                try await job.create(on: app.db)
                let executor = BuiltinRunExecutor(db: app.db, configuration: app.syncboard.configuration, vault: app.syncboard.vault,
                                                  google: app.syncboard.google, feeds: feeds)
                let (outcome, log) = try await BuiltinRunExecutorTests.execute(try job.requireID(), with: executor, app: app)
                #expect(outcome.status == .failed && outcome.failureClass == .configuration && outcome.reconnectAccountID == nil, "\(log)")
                #expect(outcome.errorSummary?.contains(FeedServices.credentialsRefused) == true, "\(outcome.errorSummary ?? "")")
                #expect(!log.joined().contains("wrong"), "the password is not in the run's log")
                #expect(try await LinkedAccount.find(calendar.$account.id, on: app.db)?.status == .active)
            }
        }
    }
}
