import Fluent
import Foundation
@testable import GoogleEmulator
import Vapor
@testable import SyncboardApp

/// Ada, with two Google accounts at the emulator (work and home), both linked to one Syncboard user whose vault holds
/// a live refresh token for each: the starting point of the tests that run the built-in engine against the emulator.
enum EmulatorAccounts {
    static let work = (subject: "2001", email: "ada@example.com")
    static let home = (subject: "2002", email: "ada.home@example.org")

    /// Adds both accounts to the emulator, and the user and linked accounts to the app; returns [work, home].
    static func linkAda(_ app: Application, at state: EmulatorState) async throws -> (User, [LinkedAccount]) {
        await state.addAccount(.init(subject: work.subject, email: work.email, name: "Ada"))
        await state.addAccount(.init(subject: home.subject, email: home.email, name: "Ada at home"))
        let user = try await Fixtures.user(app.db)
        var accounts: [LinkedAccount] = []
        for (subject, email) in [work, home] {
            let account = try await Fixtures.account(app.db, user: user, subject: subject, email: email)
            let refresh = await state.issueTokens(subject: subject, clientID: EmulatorSignInTests.clientID,
                                                  scope: "openid email https://www.googleapis.com/auth/calendar", offline: true).refresh!
            account.refreshTokenCiphertext = try app.syncboard.vault.seal(refresh, context: account.vaultContext("refresh_token"))
            try await account.save(on: app.db)
            accounts.append(account)
        }
        return (user, accounts)
    }
}
