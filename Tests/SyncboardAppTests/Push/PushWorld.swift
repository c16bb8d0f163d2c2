import AsyncHTTPClient
import EmulatorTestKit
import Fluent
import Foundation
@testable import GoogleEmulator
import NIOCore
import SyncboardCore
import Testing
import Vapor
@testable import SyncboardApp

/// The app on a real HTTP port, wired to the Google emulator (which may deliver notifications to plain http), with
/// two accounts, three calendars (Work and Team owned by Ada's work account, Family by her home account) and a
/// real-time job Work → Family.
struct PushWorld {
    static let work = "work@group.calendar.google.com"
    static let team = "team@group.calendar.google.com"
    static let family = "family@group.calendar.google.com"

    let app: Application
    let emulator: GoogleEmulatorServer
    let jobID: UUID
    let calendars: [String: LinkedCalendar]
    let address: String
    let isPostgres: Bool
    /// The PostgreSQL database's URL (for child processes); nil on SQLite.
    let databaseURL: String?
    var settings: PushSettings

    var state: EmulatorState { emulator.state }

    static func with(on database: TestDatabase = .sqlite, _ body: (PushWorld) async throws -> Void) async throws {
        try await EmulatedGoogle.with(seed: { await $0.allowPlainHTTPNotifications(true) }) { google in
            try await database.withFreshDatabase(migrated: true) { databaseConfiguration, url in
              let app = try await SyncboardApplication.make(configuration: try TestApp.configuration(database: databaseConfiguration), environment: .testing)
              app.logger.logLevel = .warning
              do {
                try await SyncboardApplication.migrate(app)
                let ada = try await LinkedAda.link(app, at: google, calendars: [.init(work, "Work", .work), .init(team, "Team", .work),
                                                                               .init(family, "Family", .home)])
                let calendars = Dictionary(uniqueKeysWithValues: ada.calendars.map { ($0.providerCalendarID, $0) })
                let job = SyncJob(userID: try ada.user.requireID(), spec: SyncJobSpec(
                    name: "Work → Family", sourceCalendarID: try calendars[work]!.requireID(), destinationCalendarID: try calendars[family]!.requireID(),
                    transformers: [ConfiguredStep(name: "KeepTitle")], cadence: .realtime, timeZone: "Europe/Berlin"))
                job.nextRunAt = Date().addingTimeInterval(3_600)
                try await job.create(on: app.db)

                var settings = PushSettings()
                settings.mode = .on
                settings.debounce = .milliseconds(300)
                settings.checkInterval = 1
                app.syncboard.configuration.push = settings
                app.pushCoalescer = NotificationCoalescer(db: app.db, debounce: settings.debounce, logger: app.logger)
                try await app.server.start(address: .hostname("127.0.0.1", port: 0))
                let port = try #require(app.http.server.shared.localAddress?.port)
                let world = PushWorld(app: app, emulator: google.server, jobID: try job.requireID(), calendars: calendars,
                                      address: "http://127.0.0.1:\(port)\(NotificationsController.path)", isPostgres: database == .postgres,
                                      databaseURL: url, settings: settings)
                do { try await body(world) } catch { await app.server.shutdown(); throw error }
                await app.server.shutdown()
                try await app.asyncShutdown()
              } catch {
                try? await app.asyncShutdown()
                throw error
              }
            }
        }
    }

    func keeper(_ workerID: String, settings: PushSettings? = nil) throws -> ChannelKeeper {
        let services = try #require(app.syncboard.google)
        let google = try #require(ChannelKeeper.Google.live(db: app.db, vault: app.syncboard.vault, google: services))
        return ChannelKeeper(db: app.db, isPostgres: isPostgres, workerID: workerID, settings: settings ?? self.settings, address: address,
                             google: google, logger: app.logger)
    }

    /// The environment a `syncboard worker` child needs to share this world: its database, key and Google.
    func childEnvironment() throws -> [String: String] {
        let base = emulator.baseURL
        return [
            "DATABASE_URL": try #require(databaseURL), "SYNCBOARD_ENCRYPTION_KEYS": "test:\(Data(repeating: 7, count: 32).base64EncodedString())",
            "GOOGLE_CLIENT_ID": EmulatorSignInTests.clientID, "GOOGLE_CLIENT_SECRET": EmulatorSignInTests.clientSecret,
            "SYNCBOARD_GOOGLE_ISSUER": base, "SYNCBOARD_GOOGLE_AUTHORIZATION_URL": base + "/o/oauth2/v2/auth", "SYNCBOARD_GOOGLE_TOKEN_URL": base + "/token",
            "SYNCBOARD_GOOGLE_REVOCATION_URL": base + "/revoke", "SYNCBOARD_GOOGLE_USERINFO_URL": base + "/v1/userinfo",
            "SYNCBOARD_GOOGLE_JWKS_URL": base + "/oauth2/v3/certs", "SYNCBOARD_GOOGLE_CALENDAR_API_URL": base + "/calendar/v3",
            "SYNCBOARD_ENGINE": "builtin", "SYNCBOARD_PUSH": "on", "SYNCBOARD_BASE_URL": String(address.dropLast(NotificationsController.path.count)),
            "SYNCBOARD_PUSH_CHECK_SECONDS": "1", "SYNCBOARD_POLL_INTERVAL_MS": "200", "SYNCBOARD_LOG_LEVEL": "warning",
        ]
    }

    func job() async throws -> SyncJob { try #require(try await SyncJob.find(jobID, on: app.db)) }

    /// Channels the emulator delivers on, per calendar.
    func liveChannels(_ calendarID: String) async -> [WatchChannel] {
        await state.watchChannels().filter { $0.calendarID == calendarID && $0.isLive }
    }

    func activeRows() async throws -> [PushChannel] { try await PushChannel.query(on: app.db).filter(\.$status == .active).all() }

    /// POSTs a notification to the app as Google would; answers the status.
    func notify(channelID: String, token: String?, resourceID: String, state: String = "exists", number: Int = 2) async throws -> Int {
        var request = HTTPClientRequest(url: address)
        request.method = .POST
        request.headers.add(name: "X-Goog-Channel-ID", value: channelID)
        if let token { request.headers.add(name: "X-Goog-Channel-Token", value: token) }
        request.headers.add(name: "X-Goog-Resource-ID", value: resourceID)
        request.headers.add(name: "X-Goog-Resource-State", value: state)
        request.headers.add(name: "X-Goog-Message-Number", value: String(number))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return Int(response.status.code)
    }

    func addEvent(_ summary: String, inDays days: Double = 1) async throws -> String {
        let start = Date().addingTimeInterval(days * 86_400)
        let added = try await state.addEvent(calendarID: Self.work, ["summary": .string(summary), "start": ["dateTime": .string(start.formatted(.iso8601))],
                                                                    "end": ["dateTime": .string(start.addingTimeInterval(3_600).formatted(.iso8601))]])
        return added["id"]?.string ?? ""
    }

    func copies() async -> [String] {
        await state.storedEvents(calendarID: Self.family).filter { $0["status"] != "cancelled" }.compactMap { $0["summary"]?.string }.sorted()
    }
}
