import FeedClient
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
        accounts.post("feeds", use: addFeed)
        accounts.post(":accountID", "remove-feed", use: removeFeed)
        accounts.post(":accountID", "reconnect", use: reconnect)
        accounts.post(":accountID", "refresh", use: refresh)
        accounts.get(":accountID", "unlink", use: confirmUnlink)
        accounts.post(":accountID", "unlink", use: unlink)
    }

    func page(req: Request) async throws -> Response {
        try await render(req)
    }

    /// The accounts page, with the feed form's values and problems when it was refused.
    private func render(_ req: Request, values: [String: String] = [:], errors: [SyncboardErrorMiddleware.FieldMessage] = [],
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.requireUser()
        let accounts = try await AccountQueries.accounts(of: try user.requireID(), on: req.db)
        let feedCalendarIDs = accounts.filter { $0.provider == .icsFeed }.flatMap { $0.calendars.compactMap(\.id) }
        let feeds = feedCalendarIDs.isEmpty ? [] : try await FeedSubscriptionRecord.query(on: req.db).filter(\.$calendar.$id ~~ feedCalendarIDs).all()
        var rows: [AccountsPage.AccountRow] = []
        for account in accounts {
            var row = AccountsPage.AccountRow(
                id: account.id!, provider: account.provider, email: account.email, displayName: account.displayName, status: account.status,
                lastError: account.lastError, calendarsRefreshedAt: account.calendarsRefreshedAt,
                calendars: account.calendars.sorted { ($0.isPrimary ? 0 : 1, $0.summary) < ($1.isPrimary ? 0 : 1, $1.summary) })
            if account.status == .needsReauth { row.testingExpiry = try await Self.diedAtTestingAge(account, on: req.db) }
            if account.provider == .icsFeed {
                row.feed = feeds.first { feed in account.calendars.contains { $0.id == feed.$calendar.id } }
            }
            rows.append(row)
        }
        return HTMLResponse.make(AccountsPage(layout: req.layout(title: "Accounts", section: .accounts), accounts: rows,
                                              microsoftConfigured: req.application.syncboard.microsoft != nil,
                                              feedValues: values, feedErrors: errors).render(), status: status)
    }

    struct FeedForm: Content {
        var url: String?
        var name: String?
        var refreshMinutes: String?
    }

    /// Adds a published calendar (issue 29): the address is fetched and read once (`FeedFetcher.check`); what is
    /// wrong is shown next to its field and nothing is stored. The address's credentials are sealed, never shown.
    func addFeed(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let form = try req.content.decode(FeedForm.self)
        let typed = (form.url ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        // The address is shown again without its credentials (they are never put back in a page).
        var values = ["name": form.name ?? "", "refreshMinutes": form.refreshMinutes ?? ""]
        var errors: [SyncboardErrorMiddleware.FieldMessage] = []
        var feed: FeedURL?
        if typed.isEmpty {
            errors.append(.init(field: "url", message: "enter the calendar's published address (https:// or webcal://)"))
        } else {
            do {
                let parsed = try FeedURL(typed)
                feed = parsed
                values["url"] = parsed.hasCredentials ? "" : typed
            } catch {
                errors.append(.init(field: "url", message: error.description))
            }
        }
        let minutesText = (form.refreshMinutes ?? "").trimmingCharacters(in: .whitespaces)
        let minutes = minutesText.isEmpty ? FeedStore.defaultRefreshMinutes : Int(minutesText)
        if minutes == nil || minutes! < FeedStore.minimumRefreshMinutes || minutes! > 1440 {
            errors.append(.init(field: "refreshMinutes", message: "enter a whole number of minutes from \(FeedStore.minimumRefreshMinutes) to 1440"))
        }
        let name = (form.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if name.count > 100 {
            errors.append(.init(field: "name", message: "must be at most 100 characters (it has \(name.count))"))
        }
        guard errors.isEmpty, let feed, let minutes else {
            return try await render(req, values: values, errors: errors, status: .unprocessableEntity)
        }
        guard let feeds = req.application.syncboard.feeds else {
            throw Abort(.serviceUnavailable, reason: "Published calendars cannot be read by this process.")
        }
        let check: FeedCheck
        do {
            check = try await feeds.fetcher.check(feed)
        } catch {
            req.logger.info("published calendar refused when added", metadata: ["feed": .string(feed.description), "error": .string(String(describing: error.providerError.kind))])
            return try await render(req, values: values, errors: [.init(field: "url", message: error.description)], status: .unprocessableEntity)
        }
        let chosen = name.isEmpty ? (check.name?.trimmingCharacters(in: .whitespacesAndNewlines)).flatMap { $0.isEmpty ? nil : String($0.prefix(100)) } ?? feed.url.host ?? "Published calendar" : name
        let calendar = try await FeedStore(db: req.db, vault: req.application.syncboard.vault)
            .add(userID: try user.requireID(), feed: feed, credentials: FeedStore.inlineCredentials(typed), name: chosen, refreshMinutes: minutes)
        req.logger.info("published calendar added", metadata: ["calendar_id": .string(calendar.id?.uuidString ?? ""), "feed": .string(feed.description),
                                                              "events": .stringConvertible(check.events)])
        return req.redirect(to: "/accounts?notice=feed-added")
    }

    /// Removes a published calendar: the jobs that used it are disabled, as unlinking an account does.
    func removeFeed(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let account = try await AccountQueries.account(req.parameters.get("accountID"), of: try user.requireID(), on: req.db)
        guard account.provider == .icsFeed else { throw Abort(.notFound, reason: "No such published calendar.") }
        _ = try await FeedStore(db: req.db, vault: req.application.syncboard.vault).remove(account)
        return req.redirect(to: "/accounts?notice=feed-removed")
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
        // A published calendar has no grant: nothing to reconnect (its address is what a 401 asks to fix).
        guard account.provider != .icsFeed else { throw Abort(.notFound, reason: "A published calendar has no account to reconnect.") }
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
        guard account.provider != .icsFeed else { throw Abort(.notFound, reason: "A published calendar has no calendar list to refresh.") }
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
