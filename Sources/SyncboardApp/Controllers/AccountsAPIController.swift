import Fluent
import MicrosoftClient
import SyncboardCore
import Vapor

/// JSON API for linked accounts and their calendars (`/api/v1/accounts`).
struct AccountsAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let accounts = routes.grouped("accounts")
        accounts.get(use: list)
        accounts.get(":accountID", use: get)
        accounts.get(":accountID", "calendars", use: calendars)
        accounts.post(":accountID", "refresh", use: refresh)
    }

    struct AccountDTO: Content {
        let id: UUID
        let email: String
        let displayName: String?
        let status: LinkedAccount.Status
        let lastError: String?
        let calendarsRefreshedAt: Date?
        let calendars: [CalendarDTO]
        /// The account's service (`google`, `microsoft`).
        var provider: ProviderKind = .google
    }

    struct CalendarDTO: Content {
        let id: UUID
        let googleId: String
        let summary: String
        let timeZone: String?
        let accessRole: String
        let backgroundColor: String?
        let primary: Bool
        let writable: Bool
        let removed: Bool
        /// The calendar's service; `googleId` (a name kept for compatibility) is its id there.
        var provider: ProviderKind = .google
    }

    func list(req: Request) async throws -> [AccountDTO] {
        let user = try req.requireUser()
        return try await AccountQueries.accounts(of: try user.requireID(), on: req.db).map(Self.dto)
    }

    func get(req: Request) async throws -> AccountDTO {
        let account = try await AccountQueries.account(req.parameters.get("accountID"), of: try req.requireUser().requireID(), on: req.db)
        try await account.$calendars.load(on: req.db)
        return Self.dto(account)
    }

    func calendars(req: Request) async throws -> [CalendarDTO] {
        let user = try req.requireUser()
        let account = try await AccountQueries.account(req.parameters.get("accountID"), of: try user.requireID(), on: req.db)
        return try await account.$calendars.query(on: req.db).sort(\.$summary).all().map(Self.dto)
    }

    func refresh(req: Request) async throws -> AccountDTO {
        let user = try req.requireUser()
        let account = try await AccountQueries.account(req.parameters.get("accountID"), of: try user.requireID(), on: req.db)
        let calendars = try req.calendarList(for: account)
        do {
            try await CalendarDiscovery(db: req.db, tokens: try req.accessTokens(), calendars: calendars).refresh(account)
        } catch let failure as AccessTokenProvider.Failure {
            throw Abort(.conflict, reason: failure.description)
        } catch let failure as GoogleCalendarFailure {
            throw Abort(.badGateway, reason: failure.description)
        } catch let failure as MicrosoftError {
            throw Abort(.badGateway, reason: failure.description)
        }
        try await account.$calendars.load(on: req.db)
        return Self.dto(account)
    }

    static func dto(_ account: LinkedAccount) -> AccountDTO {
        AccountDTO(id: account.id!, email: account.email, displayName: account.displayName, status: account.status,
                   lastError: account.lastError, calendarsRefreshedAt: account.calendarsRefreshedAt,
                   calendars: (account.$calendars.value ?? []).sorted { $0.summary < $1.summary }.map(dto), provider: account.provider)
    }

    static func dto(_ calendar: LinkedCalendar) -> CalendarDTO {
        CalendarDTO(id: calendar.id!, googleId: calendar.providerCalendarID, summary: calendar.summary, timeZone: calendar.timeZone,
                    accessRole: calendar.accessRole, backgroundColor: calendar.backgroundColor, primary: calendar.isPrimary,
                    writable: calendar.isWritable, removed: calendar.removedAt != nil, provider: calendar.provider)
    }
}
