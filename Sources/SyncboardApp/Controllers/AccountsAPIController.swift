import FeedClient
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
        /// A published calendar's address (redacted) and the health of its last fetch; absent for other calendars.
        var feed: FeedDTO? = nil
    }

    struct FeedDTO: Content {
        let address: String
        let refreshMinutes: Int
        let lastFetchedAt: Date?
        let lastStatus: Int?
        let notModified: Bool?
        let eventsRead: Int?
        let lastError: String?
        /// Fetches that failed in a row (a feed that keeps failing is notified at the user's failure threshold).
        let consecutiveFailures: Int
        /// The soonest next run of an enabled job that reads it; nil when none does.
        let nextFetchAt: Date?

        init(_ record: FeedSubscriptionRecord) {
            address = (try? FeedURL(record.address))?.description ?? "(a feed address)"
            refreshMinutes = record.refreshMinutes
            lastFetchedAt = record.lastFetchedAt
            lastStatus = record.lastStatus
            notModified = record.lastNotModified
            eventsRead = record.lastEventsRead
            lastError = record.lastError
            consecutiveFailures = record.consecutiveFailures
            nextFetchAt = record.nextFetchAt
        }
    }

    /// The feeds of these calendars, by calendar id.
    static func feeds(of calendars: [LinkedCalendar], on db: any Database) async throws -> [UUID: FeedSubscriptionRecord] {
        let ids = calendars.filter { $0.provider == .icsFeed }.compactMap(\.id)
        guard !ids.isEmpty else { return [:] }
        let records = try await FeedSubscriptionRecord.query(on: db).filter(\.$calendar.$id ~~ ids).all()
        // The next fetch is the next run of a job that reads the feed (only such jobs have a refresh interval).
        let jobs = try await SyncJob.query(on: db).filter(\.$enabled == true).filter(\.$feedRefreshMinutes != nil).all()
        for record in records {
            record.nextFetchAt = jobs.filter { $0.spec.memberCalendarIDs.contains(record.$calendar.id) }.compactMap(\.nextRunAt).min()
        }
        return Dictionary(records.map { ($0.$calendar.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func list(req: Request) async throws -> [AccountDTO] {
        let user = try req.requireUser()
        let accounts = try await AccountQueries.accounts(of: try user.requireID(), on: req.db)
        let feeds = try await Self.feeds(of: accounts.flatMap(\.calendars), on: req.db)
        return accounts.map { Self.dto($0, feeds: feeds) }
    }

    func get(req: Request) async throws -> AccountDTO {
        let account = try await AccountQueries.account(req.parameters.get("accountID"), of: try req.requireUser().requireID(), on: req.db)
        try await account.$calendars.load(on: req.db)
        return Self.dto(account, feeds: try await Self.feeds(of: account.calendars, on: req.db))
    }

    func calendars(req: Request) async throws -> [CalendarDTO] {
        let user = try req.requireUser()
        let account = try await AccountQueries.account(req.parameters.get("accountID"), of: try user.requireID(), on: req.db)
        let calendars = try await account.$calendars.query(on: req.db).sort(\.$summary).all()
        let feeds = try await Self.feeds(of: calendars, on: req.db)
        return calendars.map { Self.dto($0, feed: $0.id.flatMap { feeds[$0] }) }
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

    static func dto(_ account: LinkedAccount, feeds: [UUID: FeedSubscriptionRecord] = [:]) -> AccountDTO {
        AccountDTO(id: account.id!, email: account.email, displayName: account.displayName, status: account.status,
                   lastError: account.lastError, calendarsRefreshedAt: account.calendarsRefreshedAt,
                   calendars: (account.$calendars.value ?? []).sorted { $0.summary < $1.summary }.map { dto($0, feed: $0.id.flatMap { feeds[$0] }) },
                   provider: account.provider)
    }

    static func dto(_ calendar: LinkedCalendar, feed: FeedSubscriptionRecord? = nil) -> CalendarDTO {
        CalendarDTO(id: calendar.id!, googleId: calendar.providerCalendarID, summary: calendar.summary, timeZone: calendar.timeZone,
                    accessRole: calendar.accessRole, backgroundColor: calendar.backgroundColor, primary: calendar.isPrimary,
                    writable: calendar.isWritable, removed: calendar.removedAt != nil, provider: calendar.provider,
                    feed: feed.map(FeedDTO.init))
    }
}
