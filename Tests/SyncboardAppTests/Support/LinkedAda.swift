// Re-exported: every app test waits with the kit's `eventually`.
@_exported import EmulatorTestKit
import Fluent
import Foundation
@testable import GoogleEmulator
import Vapor
@testable import SyncboardApp

/// Ada with two Google accounts at the emulator (work and home), both linked to one Syncboard user whose vault holds
/// a live refresh token for each, and her calendars at the emulator linked in the app: the starting point of the
/// tests that run the built-in engine against the emulator (one set-up for the executor, several-calendar, group and
/// push tests).
struct LinkedAda {
    enum Account: Int { case work = 0, home = 1 }
    static let work = (subject: "2001", email: "ada@example.com")
    static let home = (subject: "2002", email: "ada.home@example.org")

    /// A calendar at the emulator, owned by one of Ada's accounts, linked in the app.
    struct Calendar {
        let id: String
        let summary: String
        let account: Account
        init(_ id: String, _ summary: String, _ account: Account) {
            self.id = id
            self.summary = summary
            self.account = account
        }
    }

    let google: EmulatedGoogle
    let user: User
    /// Work, home.
    let accounts: [LinkedAccount]
    /// By the provider's calendar id, in the order asked for.
    let calendars: [LinkedCalendar]

    var state: EmulatorState { google.state }
    func calendar(_ providerID: String) -> LinkedCalendar { calendars.first { $0.providerCalendarID == providerID }! }

    /// Adds Ada's accounts and calendars to the emulator, wires the app to it, and links them in the app.
    static func link(_ app: Application, at google: EmulatedGoogle, calendars: [Calendar]) async throws -> LinkedAda {
        try await EmulatorSignInTests.wire(app, to: google.server)
        await google.state.addAccount(.init(subject: work.subject, email: work.email, name: "Ada"))
        await google.state.addAccount(.init(subject: home.subject, email: home.email, name: "Ada at home"))
        let user = try await Fixtures.user(app.db)
        var accounts: [LinkedAccount] = []
        for (subject, email) in [work, home] {
            let account = try await Fixtures.account(app.db, user: user, subject: subject, email: email)
            let refresh = try await google.tokens(email, clientID: EmulatorSignInTests.clientID).refresh!
            account.refreshTokenCiphertext = try app.syncboard.vault.seal(refresh, context: account.vaultContext("refresh_token"))
            try await account.save(on: app.db)
            accounts.append(account)
        }
        var linked: [LinkedCalendar] = []
        for calendar in calendars {
            let email = calendar.account == .work ? work.email : home.email
            await google.state.addCalendar(EmulatedGoogle.calendar(calendar.id, calendar.summary, owner: email))
            let row = try await Fixtures.calendar(app.db, account: accounts[calendar.account.rawValue], googleID: calendar.id)
            row.summary = calendar.summary
            try await row.save(on: app.db)
            linked.append(row)
        }
        return LinkedAda(google: google, user: user, accounts: accounts, calendars: linked)
    }

    /// An emulator and an app (on `database`) with Ada linked to both.
    static func with(on database: TestDatabase = .sqlite, calendars: [Calendar], _ body: (Application, LinkedAda) async throws -> Void) async throws {
        try await EmulatedGoogle.with { google in
            try await TestApp.withApp(on: database) { app in
                try await body(app, try await link(app, at: google, calendars: calendars))
            }
        }
    }

    /// The executor the app picks under its default engine setting: the built-in one, as no calendarsync binary is found.
    func executor(_ app: Application) throws -> BuiltinRunExecutor {
        guard let executor = EngineSelection.executor(for: app.syncboard.configuration, db: app.db, vault: app.syncboard.vault,
                                                      google: app.syncboard.google) as? BuiltinRunExecutor else {
            throw KitError("auto did not pick the built-in engine (is a calendarsync binary on the PATH?)")
        }
        return executor
    }
}
