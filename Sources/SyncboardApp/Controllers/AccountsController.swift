import Fluent
import SyncboardCore
import Vapor

/// The accounts page and its actions: link another account, reconnect, refresh calendars, unlink.
struct AccountsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let accounts = routes.grouped("accounts")
        accounts.get(use: page)
        accounts.post("link", use: link)
        accounts.post("link", "microsoft", use: linkMicrosoft)
        accounts.post(":accountID", "reconnect", use: reconnect)
        accounts.post(":accountID", "refresh", use: refresh)
        accounts.get(":accountID", "unlink", use: confirmUnlink)
        accounts.post(":accountID", "unlink", use: unlink)
    }

    func page(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let accounts = try await AccountQueries.accounts(of: try user.requireID(), on: req.db)
        var rows: [AccountsPage.AccountRow] = []
        for account in accounts {
            var row = AccountsPage.AccountRow(
                id: account.id!, provider: account.provider, email: account.email, displayName: account.displayName, status: account.status,
                lastError: account.lastError, calendarsRefreshedAt: account.calendarsRefreshedAt,
                calendars: account.calendars.sorted { ($0.isPrimary ? 0 : 1, $0.summary) < ($1.isPrimary ? 0 : 1, $1.summary) })
            if account.status == .needsReauth { row.testingExpiry = try await Self.diedAtTestingAge(account, on: req.db) }
            rows.append(row)
        }
        return HTMLResponse.make(AccountsPage(layout: req.layout(title: "Accounts", section: .accounts), accounts: rows,
                                              microsoftConfigured: req.application.syncboard.microsoft != nil).render())
    }

    /// Whether the grant died about seven days after it was given (when its incident opened, else when the
    /// account last changed): the sign of an OAuth client in "Testing" publishing status.
    static func diedAtTestingAge(_ account: LinkedAccount, on db: any Database) async throws -> Bool {
        let accountID = try account.requireID()
        let incident = try await Incident.query(on: db).filter(\.$accountID == accountID).filter(\.$closedAt == nil).sort(\.$openedAt).first()
        guard let died = incident?.openedAt ?? account.updatedAt else { return false }
        return AccountGrantAge.looksLikeTestingExpiry(try await AccountGrantAge.age(of: account, on: db, now: died))
    }

    func link(req: Request) async throws -> Response {
        let user = try req.requireUser()
        return try await OAuthStart(request: req, google: try req.application.syncboard.requireGoogleAuth())
            .begin(purpose: .link, user: user, loginHint: nil, prompt: "select_account consent")
    }

    /// Links a Microsoft 365 / Outlook account: its calendars become linked calendars (it never signs in).
    func linkMicrosoft(req: Request) async throws -> Response {
        let user = try req.requireUser()
        return try await OAuthStart(request: req, microsoft: try req.application.syncboard.requireMicrosoft().auth)
            .begin(purpose: .link, user: user, loginHint: nil, prompt: "select_account")
    }

    func reconnect(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let account = try await AccountQueries.account(req.parameters.get("accountID"), of: try user.requireID(), on: req.db)
        if account.provider == .microsoft {
            return try await OAuthStart(request: req, microsoft: try req.application.syncboard.requireMicrosoft().auth)
                .begin(purpose: .reconnect, user: user, loginHint: account.email, prompt: "consent")
        }
        return try await OAuthStart(request: req, google: try req.application.syncboard.requireGoogleAuth())
            .begin(purpose: .reconnect, user: user, loginHint: account.email, prompt: "consent")
    }

    func refresh(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let account = try await AccountQueries.account(req.parameters.get("accountID"), of: try user.requireID(), on: req.db)
        await req.discoverCalendars(of: account)
        return req.redirect(to: "/accounts?notice=calendars-refreshed")
    }

    func confirmUnlink(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let account = try await AccountQueries.account(req.parameters.get("accountID"), of: try user.requireID(), on: req.db)
        let jobs = try await AccountQueries.jobNames(using: account, on: req.db)
        return HTMLResponse.make(UnlinkConfirmPage(
            layout: req.layout(title: "Unlink \(account.email)", section: .accounts),
            accountID: try account.requireID(), email: account.email, affectedJobs: jobs).render())
    }

    func unlink(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let account = try await AccountQueries.account(req.parameters.get("accountID"), of: try user.requireID(), on: req.db)
        let result = try await AccountUnlinking(
            db: req.db, vault: req.application.syncboard.vault, google: try req.application.syncboard.requireGoogleAuth()
        ).unlink(account)
        return HTMLResponse.make(UnlinkDonePage(
            layout: req.layout(title: "Account unlinked", section: .accounts), email: account.email, result: result).render())
    }
}

/// The queries behind the accounts page and API: always scoped to the signed-in user, so another user's ids
/// are simply not found (404), in HTML and JSON alike.
enum AccountQueries {
    static func accounts(of userID: UUID, on db: any Database) async throws -> [LinkedAccount] {
        try await LinkedAccount.query(on: db).filter(\.$user.$id == userID).with(\.$calendars).sort(\.$createdAt).all()
    }

    static func account(_ rawID: String?, of userID: UUID, on db: any Database) async throws -> LinkedAccount {
        guard let rawID, let id = UUID(uuidString: rawID),
              let account = try await LinkedAccount.query(on: db).filter(\.$id == id).filter(\.$user.$id == userID).first()
        else { throw Abort(.notFound, reason: "No such linked account.") }
        return account
    }

    static func jobNames(using account: LinkedAccount, on db: any Database) async throws -> [String] {
        let calendarIDs = try await LinkedCalendar.query(on: db).filter(\.$account.$id == account.requireID()).all(\.$id)
        return try await SyncJob.using(calendarIDs, userID: account.$user.id, on: db).map(\.name)
    }
}
