import Fluent
import Foundation
@testable import MicrosoftEmulator
import Testing
import Vapor
@testable import SyncboardApp

/// Ada's Outlook work account at the Microsoft emulator, linked to a Syncboard user with a live refresh token in the
/// vault, and her Outlook calendars linked in the app: LinkedAda's sibling for Microsoft.
struct LinkedOutlook {
    static let clientID = "syncboard-test-microsoft"
    static let clientSecret = "microsoft-emulator-secret"
    static let tenant = "11111111-2222-3333-4444-555555555555"
    static let ada = (oid: "00000000-0000-0000-0000-0000000000a1", email: "ada@contoso.example")
    static let redirectURI = "http://127.0.0.1:8080/auth/microsoft/callback"
    static let scope = "offline_access Calendars.ReadWrite User.Read openid email profile"

    let microsoft: EmulatedMicrosoft
    let account: LinkedAccount
    /// In the order asked for.
    let calendars: [LinkedCalendar]

    var state: MicrosoftEmulatorState { microsoft.state }
    func calendar(_ providerID: String) -> LinkedCalendar { calendars.first { $0.providerCalendarID == providerID }! }

    /// Registers the app at the emulator, adds Ada's work account, and points the app's Microsoft settings and
    /// services at the emulator (configuration only, as in production).
    static func wire(_ app: Application, to microsoft: EmulatedMicrosoft) async throws {
        await microsoft.state.addClient(.init(clientID: clientID, clientSecret: clientSecret, redirectURIs: [redirectURI]))
        await microsoft.state.addAccount(.init(oid: ada.oid, tenantID: tenant, email: ada.email, name: "Ada Lovelace"))
        let base = URL(string: microsoft.baseURL)!
        let settings = MicrosoftSettings(clientID: clientID, clientSecret: clientSecret, tenant: "common",
                                         authorityURL: base, graphURL: base.appendingPathComponent("v1.0"))
        app.syncboard.configuration.microsoft = settings
        app.syncboard.microsoft = MicrosoftServices.live(settings: settings, http: app.http.client.shared)
    }

    /// Wires the app, adds Ada's Outlook calendars (id, name) to the emulator and links the account and them for `user`.
    static func link(_ app: Application, at microsoft: EmulatedMicrosoft, user: User, calendars: [(id: String, name: String)]) async throws -> LinkedOutlook {
        try await wire(app, to: microsoft)
        let account = LinkedAccount(userID: try user.requireID(), provider: .microsoft, subject: "ada-outlook-subject", email: ada.email,
                                    displayName: "Ada Lovelace", grantedScopes: scope)
        try await account.create(on: app.db)
        let refresh = try #require(await microsoft.state.issueTokens(oid: ada.oid, clientID: clientID, scope: scope).refresh)
        account.refreshTokenCiphertext = try app.syncboard.vault.seal(refresh, context: account.vaultContext("refresh_token"))
        try await account.save(on: app.db)
        var linked: [LinkedCalendar] = []
        for (index, calendar) in calendars.enumerated() {
            await microsoft.state.addCalendar(.init(id: calendar.id, name: calendar.name, owner: ada.email, isDefaultCalendar: index == 0))
            let row = try await Fixtures.calendar(app.db, account: account, googleID: calendar.id)
            row.summary = calendar.name
            row.timeZone = "UTC"
            try await row.save(on: app.db)
            linked.append(row)
        }
        return LinkedOutlook(microsoft: microsoft, account: account, calendars: linked)
    }

    /// The refresh token the vault holds for the account now.
    func storedRefreshToken(_ app: Application) async throws -> String {
        let account = try #require(try await LinkedAccount.find(account.id, on: app.db))
        return try app.syncboard.vault.open(try #require(account.refreshTokenCiphertext), context: account.vaultContext("refresh_token"))
    }

    /// The built-in executor with both providers, as `configure` builds it when both are set up.
    static func executor(_ app: Application) throws -> BuiltinRunExecutor {
        guard let executor = EngineSelection.executor(for: app.syncboard.configuration, db: app.db, vault: app.syncboard.vault,
                                                      google: app.syncboard.google, microsoft: app.syncboard.microsoft) as? BuiltinRunExecutor else {
            throw KitError("auto did not pick the built-in engine (is a calendarsync binary on the PATH?)")
        }
        return executor
    }

    /// An Outlook event `days` from now, an hour long, created "on Outlook's side" (the emulator's control API).
    @discardableResult
    func outlookEvent(_ calendarID: String, _ subject: String, inDays days: Double) async throws -> String {
        let start = Date().addingTimeInterval(days * 86_400)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        func graphTime(_ date: Date) -> JSON { ["dateTime": .string(formatter.string(from: date)), "timeZone": "UTC"] }
        let created = try await state.controlCreate(calendarID: calendarID, ["subject": .string(subject), "start": graphTime(start),
                                                                             "end": graphTime(start.addingTimeInterval(3_600))])
        return try #require(created["id"]?.string)
    }

    /// The subjects of the events stored in an Outlook calendar, sorted.
    func subjects(_ calendarID: String) async -> [String] {
        await state.storedEvents(calendarID: calendarID).compactMap { $0["subject"]?.string }.sorted()
    }
}
