import AsyncHTTPClient
import EmulatorTestKit
import Fluent
import Foundation
@testable import GoogleEmulator
@testable import MicrosoftEmulator
import NIOCore
import SyncboardCore
import Testing
import Vapor
@testable import SyncboardApp

/// Microsoft Graph change notifications for real-time jobs (issue 28 §4), against both emulators over HTTP: the
/// keeper keeps one subscription on each watched Outlook calendar (validated by Graph through the app's endpoint),
/// renews it by PATCH before it expires, acts on lifecycle notifications and removes it when no enabled real-time job
/// needs it; a notification with the subscription's clientState starts the job through the same coalescer as
/// Google's, a forged one changes nothing.
@Suite("Microsoft push: Graph subscriptions and the notification endpoints")
struct MicrosoftPushTests {
    static let work = "AAMkAdaWork"
    static let team = "AAMkAdaTeam"
    static let family = "family@group.calendar.google.com"

    /// The app on a real port with Ada's Google (Family) and Outlook (Work, Team) calendars, both emulators delivering
    /// to plain http, and a real-time job Outlook Work → Google Family that is not due for an hour.
    struct World {
        let app: Application
        let ada: LinkedAda
        let outlook: LinkedOutlook
        let jobID: UUID
        let isPostgres: Bool
        var settings: PushSettings

        var microsoft: MicrosoftEmulatorState { outlook.state }

        func keeper(_ workerID: String = "worker-1", settings: PushSettings? = nil) throws -> ChannelKeeper {
            let configuration = app.syncboard.configuration
            let services = try #require(app.syncboard.google)
            let google = try #require(ChannelKeeper.Google.live(db: app.db, vault: app.syncboard.vault, google: services))
            let microsoftServices = try app.syncboard.requireMicrosoft()
            let microsoft = try #require(ChannelKeeper.Microsoft.live(
                db: app.db, vault: app.syncboard.vault, google: services, microsoft: microsoftServices,
                notificationURL: configuration.microsoftNotificationAddress, lifecycleURL: configuration.microsoftLifecycleAddress))
            return ChannelKeeper(db: app.db, isPostgres: isPostgres, workerID: workerID, settings: settings ?? self.settings,
                                 address: configuration.notificationAddress, google: google, microsoft: microsoft, coalescer: app.pushCoalescer,
                                 logger: app.logger)
        }

        func job() async throws -> SyncJob { try #require(try await SyncJob.find(jobID, on: app.db)) }

        /// The job made not due (as a run's claim leaves it), so that whatever makes it due next is seen.
        func settle() async throws -> Date {
            await app.pushCoalescer?.flush()
            let later = Date().addingTimeInterval(3_600)
            let job = try await job()
            job.nextRunAt = later
            job.pushedAt = nil
            try await job.save(on: app.db)
            return later
        }

        func isDue() async throws -> Bool { try await job().nextRunAt! <= Date() }

        func activeRows() async throws -> [PushChannel] { try await PushChannel.query(on: app.db).filter(\.$status == .active).all() }

        /// The subscriptions Graph holds on the Work calendar.
        func subscriptions() async -> [MicrosoftEmulator.Subscription] {
            await microsoft.allSubscriptions().filter { $0.resource.contains(MicrosoftPushTests.work) }
        }

        func googleTitles() async -> [String] {
            await ada.state.storedEvents(calendarID: MicrosoftPushTests.family).filter { $0["status"]?.string != "cancelled" }
                .compactMap { $0["summary"]?.string }.sorted()
        }

        var address: String { app.syncboard.configuration.baseURL.absoluteString }

        /// POSTs a notification batch to the app as Graph would; answers the status.
        func post(_ path: String, _ value: [[String: String]]) async throws -> Int {
            var request = HTTPClientRequest(url: address + path)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: ["value": value])))
            return Int(try await HTTPClient.shared.execute(request, timeout: .seconds(30)).status.code)
        }
    }

    static func with(on database: TestDatabase = .sqlite, _ body: (World) async throws -> Void) async throws {
        try await EmulatedGoogle.with(seed: { await $0.allowPlainHTTPNotifications(true) }) { google in
            try await EmulatedMicrosoft.with(seed: { await $0.allowPlainHTTPNotifications(true) }) { microsoft in
                try await database.withFreshDatabase(migrated: true) { databaseConfiguration, _ in
                    let app = try await SyncboardApplication.make(configuration: try TestApp.configuration(database: databaseConfiguration), environment: .testing)
                    app.logger.logLevel = .warning
                    do {
                        try await SyncboardApplication.migrate(app)
                        let ada = try await LinkedAda.link(app, at: google, calendars: [.init(family, "Family", .home)])
                        let outlook = try await LinkedOutlook.link(app, at: microsoft, user: ada.user, calendars: [(work, "Work"), (team, "Team")])
                        let job = SyncJob(userID: try ada.user.requireID(), spec: SyncJobSpec(
                            name: "Outlook → Google", sourceCalendarID: try outlook.calendar(work).requireID(),
                            destinationCalendarID: try ada.calendar(family).requireID(), transformers: [ConfiguredStep(name: "KeepTitle")],
                            cadence: .realtime, timeZone: "UTC"))
                        job.nextRunAt = Date().addingTimeInterval(3_600)
                        try await job.create(on: app.db)

                        var settings = PushSettings()
                        settings.mode = .on
                        settings.debounce = .milliseconds(300)
                        settings.checkInterval = 1
                        app.syncboard.configuration.push = settings
                        app.pushCoalescer = NotificationCoalescer(db: app.db, debounce: settings.debounce, logger: app.logger, wakeups: app.syncboard.wakeups)
                        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
                        let port = try #require(app.http.server.shared.localAddress?.port)
                        app.syncboard.configuration.explicitBaseURL = URL(string: "http://127.0.0.1:\(port)")
                        let world = World(app: app, ada: ada, outlook: outlook, jobID: try job.requireID(), isPostgres: database == .postgres, settings: settings)
                        // What the coalescer holds is written before the database goes away.
                        do { try await body(world) } catch { await app.pushCoalescer?.flush(); await app.server.shutdown(); throw error }
                        await app.pushCoalescer?.flush()
                        await app.server.shutdown()
                        try await app.asyncShutdown()
                    } catch {
                        try? await app.asyncShutdown()
                        throw error
                    }
                }
            }
        }
    }

    /// The push counter's value for a result, from the process's Prometheus registry.
    static func counted(_ result: String) -> Double {
        MetricsSetup.bootstrap()
        let line = MetricsSetup.exposition().split(separator: "\n").first { $0.hasPrefix("syncboard_push_notifications_total{result=\"\(result)\"}") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
    }

    @Test("a change in Outlook reaches Google by push: the subscription opens, Graph's notification starts the job, and the copy arrives with no poll due for an hour",
          arguments: TestDatabase.all)
    func changeArrivesByPush(database: TestDatabase) async throws {
        try await Self.with(on: database) { world in
            let app = world.app
            app.syncboard.nextRun = { job, date in job.nextRun(after: date, realtimeInterval: 3_600) }
            var schedulerSettings = app.syncboard.configuration.scheduler
            schedulerSettings.pollInterval = .milliseconds(100)
            let scheduler = Scheduler(db: app.db, isPostgres: world.isPostgres, settings: schedulerSettings, workerID: "in-process",
                                      executor: try LinkedOutlook.executor(app), nextRun: app.syncboard.nextRun, logger: app.logger)
            let keeper = try world.keeper("in-process")
            let loops = [Task { await scheduler.run() }, Task { await keeper.run() }]
            do {
                // The subscription's creation runs the job once (what changed before it announced nothing).
                try await eventually(timeout: .seconds(60), "the subscription is created and the first run ends") {
                    try await JobRun.query(on: app.db).filter(\.$status == .succeeded).count() > 0
                }
                #expect(await world.subscriptions().count == 1)
                let row = try #require(try await world.activeRows().first)
                let subscriptionID = await world.subscriptions().first?.id
                #expect(row.provider == .microsoft && row.channelID == subscriptionID && row.tokenDigest.count == 64)
                #expect(await world.microsoft.notificationRecords().filter { $0.kind == "validation" }.allSatisfy { $0.status == 200 })

                let changed = ContinuousClock.now
                try await world.outlook.outlookEvent(Self.work, "Board meeting", inDays: 1)
                try await eventually(timeout: .seconds(30), "the change arrives at Google (no poll is due for an hour)") {
                    await world.googleTitles() == ["Board meeting"]
                }
                print("an Outlook change reached Google by push in \(ContinuousClock.now - changed)")
                let delivered = await world.microsoft.notificationRecords().filter { $0.kind == "change" }
                #expect(delivered.contains { $0.status == 202 }, "answered 202: \(delivered)")
                try await eventually("the notification is recorded as heard") {
                    try await PushChannel.find(row.id, on: app.db)?.lastMessageAt != nil
                }
            } catch {
                loops.forEach { $0.cancel() }
                await scheduler.shutdown()
                throw error
            }
            loops.forEach { $0.cancel() }
            await scheduler.shutdown()
        }
    }

    @Test("the validation handshake is answered 200 text/plain with the decoded token on both endpoints")
    func handshake() async throws {
        try await Self.with { world in
            for path in [MicrosoftNotificationsController.path, MicrosoftNotificationsController.lifecyclePath] {
                var request = HTTPClientRequest(url: world.address + path + "?validationToken=Validation%3A%20Testing%20client%20application%20reachability")
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                #expect(response.status == .ok)
                #expect(response.headers.first(name: "Content-Type")?.hasPrefix("text/plain") == true)
                #expect(String(buffer: try await response.body.collect(upTo: 1 << 16)) == "Validation: Testing client application reachability")
            }
        }
    }

    @Test("forged notifications (wrong or no clientState, unknown subscription, a Google channel's id) are answered 202, counted as ignored and start nothing; a genuine one starts the job",
          arguments: TestDatabase.all)
    func forged(database: TestDatabase) async throws {
        try await Self.with(on: database) { world in
            let keeper = try world.keeper()
            await keeper.tick()
            let subscription = try #require(await world.subscriptions().first)
            let later = try await world.settle()
            // A Google channel whose token the forger knows, answered at Microsoft's endpoint.
            let google = PushChannel(calendarID: try world.outlook.calendar(Self.work).requireID(), providerCalendarID: Self.work, channelID: "google-channel",
                                     tokenDigest: SecureRandom.digest("google-token"), workerID: "w", lease: Date(), now: Date())
            google.status = .active
            google.resourceID = "google-resource"
            google.expiresAt = Date().addingTimeInterval(3_600)
            try await google.create(on: world.app.db)
            let ignoredBefore = Self.counted("ignored")

            let forgeries: [[String: String]] = [
                ["subscriptionId": subscription.id, "clientState": "guessed", "changeType": "created"],
                ["subscriptionId": subscription.id, "changeType": "created"],
                ["subscriptionId": "unknown-subscription", "clientState": "guessed", "changeType": "created"],
                ["subscriptionId": "google-channel", "clientState": "google-token", "changeType": "created"],
            ]
            for forgery in forgeries {
                #expect(try await world.post(MicrosoftNotificationsController.path, [forgery]) == 202)
                #expect(try await world.post(MicrosoftNotificationsController.lifecyclePath, [forgery.merging(["lifecycleEvent": "missed"]) { $1 }]) == 202)
            }
            try await eventually(timeout: .seconds(30), "every forgery is counted as ignored (\(Self.counted("ignored")) after \(ignoredBefore))") {
                Self.counted("ignored") >= ignoredBefore + 8
            }
            await world.app.pushCoalescer?.flush()
            #expect(try await world.job().nextRunAt! > later.addingTimeInterval(-60), "nothing was started")
            #expect(try await JobRun.query(on: world.app.db).count() == 0)
            #expect(try await world.activeRows().allSatisfy { $0.lifecycleEvent == nil }, "no lifecycle event was recorded")

            // Graph's own notification (with the subscription's clientState) starts the job.
            try await world.outlook.outlookEvent(Self.work, "Genuine", inDays: 1)
            try await eventually(timeout: .seconds(30), "the job is due") {
                await world.app.pushCoalescer?.flush()
                return try await world.isDue()
            }
        }
    }

    @Test("the subscription is renewed by PATCH before it expires (a controlled clock), keeping its id")
    func renewal() async throws {
        try await Self.with { world in
            var settings = world.settings
            settings.microsoftSubscriptionLifetime = 400
            let keeper = try world.keeper(settings: settings)
            let start = Date()
            await keeper.tick(now: start)
            let original = try #require(await world.subscriptions().first)
            #expect(original.expirationDateTime.timeIntervalSince(start) > 390 && original.expirationDateTime.timeIntervalSince(start) < 460)
            let opened = original.expirationDateTime.addingTimeInterval(-400)
            await keeper.tick(now: opened.addingTimeInterval(200))
            #expect(await world.microsoft.requests(pathPrefix: "/v1.0/subscriptions", method: "PATCH").isEmpty, "half its life left: kept")
            // A quarter (100 s) left: renewed.
            await keeper.tick(now: opened.addingTimeInterval(310))
            #expect(await world.microsoft.requests(pathPrefix: "/v1.0/subscriptions", method: "PATCH").map(\.status) == [200])
            let renewed = try #require(await world.subscriptions().first)
            // Asked for 400 s from the real clock again (Graph's times are whole seconds: the same second or later).
            #expect(renewed.id == original.id && renewed.expirationDateTime >= original.expirationDateTime)
            let row = try #require(try await world.activeRows().first)
            #expect(row.channelID == original.id && abs((row.expiresAt ?? .distantPast).timeIntervalSince(renewed.expirationDateTime)) < 1)
            #expect(await world.subscriptions().count == 1)
        }
    }

    @Test("lifecycle notifications: reauthorizationRequired renews by PATCH; subscriptionRemoved and missed create another; missed makes the job due at once",
          arguments: TestDatabase.all)
    func lifecycle(database: TestDatabase) async throws {
        try await Self.with(on: database) { world in
            let keeper = try world.keeper()
            await keeper.tick()
            let first = try #require(await world.subscriptions().first)
            _ = try await world.settle()

            // reauthorizationRequired → PATCH, the same subscription.
            try await world.microsoft.sendLifecycleEvent("reauthorizationRequired", subscriptionID: first.id)
            try await eventually(timeout: .seconds(30), "the event is recorded") { try await world.activeRows().first?.lifecycleEvent == "reauthorizationRequired" }
            await keeper.tick()
            #expect(await world.microsoft.requests(pathPrefix: "/v1.0/subscriptions/\(first.id)", method: "PATCH").map(\.status) == [200])
            #expect(try await world.activeRows().map(\.lifecycleEvent) == [nil])
            #expect(await world.subscriptions().map(\.id) == [first.id])

            // subscriptionRemoved → Graph has dropped it: another is created.
            try await world.microsoft.sendLifecycleEvent("subscriptionRemoved", subscriptionID: first.id)
            try await eventually(timeout: .seconds(30), "the event is recorded") { try await world.activeRows().first?.lifecycleEvent == "subscriptionRemoved" }
            await keeper.tick()
            let second = try #require(await world.subscriptions().first)
            let afterRemoval = await world.subscriptions()
            #expect(second.id != first.id && afterRemoval.count == 1)
            #expect(try await world.activeRows().map(\.channelID) == [second.id])
            #expect(try await PushChannel.query(on: world.app.db).filter(\.$channelID == first.id).first()?.status == .stopped)
            try await eventually(timeout: .seconds(30), "the new subscription runs the job once") {
                await world.app.pushCoalescer?.flush()
                return try await world.isDue()
            }
            _ = try await world.settle()

            // missed → the job is due at once (a reconciling run), and the subscription is replaced.
            try await world.microsoft.sendLifecycleEvent("missed", subscriptionID: second.id)
            try await eventually(timeout: .seconds(30), "missed makes the job due") {
                await world.app.pushCoalescer?.flush()
                return try await world.isDue()
            }
            try await eventually(timeout: .seconds(30), "the event is recorded") { try await world.activeRows().first?.lifecycleEvent == "missed" }
            await keeper.tick()
            let third = try #require(await world.subscriptions().first)
            let afterMissed = await world.subscriptions()
            #expect(third.id != second.id && afterMissed.count == 1, "the old one deleted at Graph, a new one created")
            #expect(await world.microsoft.requests(pathPrefix: "/v1.0/subscriptions/\(second.id)", method: "DELETE").map(\.status) == [204])
            #expect(try await world.activeRows().map(\.channelID) == [third.id])
        }
    }

    @Test("pausing or deleting the job deletes its subscription at Graph; resuming creates one again", arguments: TestDatabase.all)
    func pauseAndDelete(database: TestDatabase) async throws {
        try await Self.with(on: database) { world in
            let keeper = try world.keeper()
            await keeper.tick()
            #expect(await world.subscriptions().count == 1)
            let job = try await world.job()
            job.enabled = false
            try await job.save(on: world.app.db)
            try await eventually("the paused job's subscription is deleted") {
                await keeper.tick()
                return await world.subscriptions().isEmpty
            }
            #expect(try await world.activeRows().isEmpty)

            job.enabled = true
            try await job.save(on: world.app.db)
            await keeper.tick()
            #expect(await world.subscriptions().count == 1)
            try await job.delete(on: world.app.db)
            try await eventually("the deleted job's subscription is deleted") {
                await keeper.tick()
                return await world.subscriptions().isEmpty
            }
            #expect(try await world.activeRows().isEmpty)
            #expect(try await PushChannel.query(on: world.app.db).all().allSatisfy { $0.status == .stopped })
        }
    }
}
