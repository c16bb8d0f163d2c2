import Fluent
import Foundation
import Synchronization
import SyncboardCore
import Testing
import VaporTesting
@testable import SyncboardApp

@Suite("Calendar discovery")
struct CalendarDiscoveryTests {
    final class FakeGoogle: Sendable {
        let calendars = Mutex<[GoogleCalendarService.CalendarEntry]>([])
        let refreshes = Mutex<[String]>([])
        let listedWith = Mutex<[String]>([])

        /// Refreshing and listing calendars, recorded; anything else the app asks Google fails the test.
        var services: GoogleServices {
            var auth = GoogleAuthService.unimplemented
            auth.refresh = { token in
                self.refreshes.withLock { $0.append(token) }
                guard token == "refresh-ok" else { throw GoogleAuthFailure.invalidGrant }
                return .init(accessToken: "access-new", expiresIn: 3600, refreshToken: nil, scope: "openid", idToken: nil)
            }
            var calendars = GoogleCalendarService.unimplemented
            calendars.listCalendars = { token in
                self.listedWith.withLock { $0.append(token) }
                return self.calendars.withLock { $0 }
            }
            return GoogleServices(auth: auth, calendars: calendars)
        }
    }

    static func entry(_ id: String, role: String = "owner") -> GoogleCalendarService.CalendarEntry {
        .init(id: id, summary: "Calendar \(id)", timeZone: "Europe/Berlin", accessRole: role, backgroundColor: "#123456", primary: id == "me@example.com")
    }

    @Test("refresh stores new calendars, updates known ones and marks vanished ones; jobs using them show as broken", arguments: TestDatabase.all)
    func refresh(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let google = FakeGoogle()
            app.syncboard.google = google.services
            let user = try await Fixtures.user(app.db)
            let account = try await Fixtures.account(app.db, user: user, subject: "sub-1", email: "me@example.com")
            account.refreshTokenCiphertext = try app.syncboard.vault.seal("refresh-ok", context: account.vaultContext("refresh_token"))
            try await account.save(on: app.db)
            google.calendars.withLock { $0 = [Self.entry("me@example.com"), Self.entry("team@group.calendar.google.com", role: "writer"), Self.entry("holidays", role: "reader")] }

            let client = try await SignedInClient.signIn(user, on: app)
            let first = try await client.api(.POST, "/api/v1/accounts/\(try account.requireID())/refresh")
            #expect(first.status == .ok, "\(first.body.string)")
            let dto = try first.content.decode(AccountsAPIController.AccountDTO.self)
            #expect(dto.calendars.map(\.googleId).sorted() == ["holidays", "me@example.com", "team@group.calendar.google.com"])
            #expect(dto.calendars.first { $0.googleId == "holidays" }?.writable == false)
            #expect(google.refreshes.withLock { $0 } == ["refresh-ok"], "the access token was refreshed first (none was stored)")
            #expect(google.listedWith.withLock { $0 } == ["access-new"])

            // A job that writes to the team calendar; then the team calendar disappears from Google.
            let calendars = try await LinkedCalendar.query(on: app.db).all()
            let source = try #require(calendars.first { $0.providerCalendarID == "me@example.com" })
            let team = try #require(calendars.first { $0.providerCalendarID == "team@group.calendar.google.com" })
            try await Fixtures.job(app.db, user: user, source: source, destination: team, name: "Mine → team", nextRunAt: Date())
            google.calendars.withLock { $0 = [Self.entry("me@example.com"), Self.entry("holidays", role: "reader"), Self.entry("new@group.calendar.google.com")] }
            _ = try await client.post("/accounts/\(try account.requireID())/refresh")

            let after = try await LinkedCalendar.query(on: app.db).all()
            #expect(after.count == 4, "a vanished calendar is kept, marked")
            #expect(after.first { $0.providerCalendarID == "team@group.calendar.google.com" }?.removedAt != nil)
            #expect(after.first { $0.providerCalendarID == "new@group.calendar.google.com" }?.removedAt == nil)
            #expect(google.listedWith.withLock { $0.count } == 2 && google.refreshes.withLock { $0.count } == 1, "the fresh access token was reused")

            let dashboard = try await client.get("/")
            #expect(dashboard.body.string.contains(#"data-health="broken""#))
            #expect(dashboard.body.string.contains("no longer exists on Google"))
            let accounts = try await client.get("/accounts")
            #expect(accounts.body.string.contains("no longer on Google"))
        }
    }

    @Test("a refresh Google refuses with invalid_grant marks the account for reconnecting")
    func invalidGrant() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let google = FakeGoogle()
            app.syncboard.google = google.services
            let user = try await Fixtures.user(app.db)
            let account = try await Fixtures.account(app.db, user: user, subject: "sub-2", email: "gone@example.com")
            account.refreshTokenCiphertext = try app.syncboard.vault.seal("revoked", context: account.vaultContext("refresh_token"))
            try await account.save(on: app.db)
            let client = try await SignedInClient.signIn(user, on: app)
            let response = try await client.api(.POST, "/api/v1/accounts/\(try account.requireID())/refresh")
            #expect(response.status == .conflict)
            #expect(try response.content.decode(SyncboardErrorMiddleware.APIError.self).message.contains("reconnect"))
            let stored = try #require(try await LinkedAccount.find(account.id, on: app.db))
            #expect(stored.status == .needsReauth)
            let page = try await client.get("/accounts")
            #expect(page.body.string.contains("needs reconnect"))
            #expect(page.body.string.contains("Reconnect"))
        }
    }
}
