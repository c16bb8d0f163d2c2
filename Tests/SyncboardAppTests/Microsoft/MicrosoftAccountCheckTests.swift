import Fluent
import Foundation
@testable import MicrosoftEmulator
import Testing
import Vapor
@testable import SyncboardApp

/// The daily account check with a Microsoft account (issue 28 §2): it refreshes at Microsoft (never at Google),
/// keeps the rotated refresh token, and a revoked grant brings the same reconnect notice as Google's, naming Microsoft.
@Suite("The daily check of a Microsoft account")
struct MicrosoftAccountCheckTests {
    @Test("a working grant is refreshed at Microsoft and its replacement kept; a revoked one turns the account to reconnect with one notice naming Microsoft 365")
    func dailyCheck() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            try await EmulatedMicrosoft.with { microsoft in
                let user = try await Fixtures.user(app.db)
                let outlook = try await LinkedOutlook.link(app, at: microsoft, user: user, calendars: [("AAMkAdaWork", "Work")])
                // Google's seam is set but unimplemented: a Microsoft account must not be refreshed there.
                let checker = AccountHealthChecker(db: app.db, vault: app.syncboard.vault, google: .unimplemented,
                                                   microsoft: try app.syncboard.requireMicrosoft().auth, interval: 86_400, logger: app.logger)
                let now = Date()
                try await checker.checkDue(now: now)  // schedules the account a day after linking
                let before = try await outlook.storedRefreshToken(app)

                #expect(try await checker.checkDue(now: now.addingTimeInterval(86_401)) == 1)
                #expect(try await AccountCheck.query(on: app.db).first()?.lastResult == "ok")
                let after = try await outlook.storedRefreshToken(app)
                #expect(after != before, "the rotated refresh token is what the vault holds")
                #expect(await microsoft.state.refreshTokens[after]?.status == .live)
                #expect(try await Notice.query(on: app.db).count() == 0)

                await microsoft.state.revokeGrants(ofEmail: LinkedOutlook.ada.email)
                try await checker.checkDue(now: now.addingTimeInterval(2 * 86_401))
                try await checker.checkDue(now: now.addingTimeInterval(3 * 86_401))
                let notices = try await Notice.query(on: app.db).all()
                #expect(notices.count == 1)
                let notice = try #require(notices.first)
                #expect(notice.category == .accounts && notice.actionPath == "/accounts")
                #expect(notice.title == "Reconnect \(LinkedOutlook.ada.email): Microsoft 365 no longer accepts Syncboard's access", "\(notice.title)")
                #expect(!notice.body.contains("Google"), "\(notice.body)")
                #expect(try await LinkedAccount.find(outlook.account.id, on: app.db)?.status == .needsReauth)
                #expect(try await Incident.query(on: app.db).first()?.summary == "Microsoft 365 refused the refresh token")
            }
        }
    }
}
