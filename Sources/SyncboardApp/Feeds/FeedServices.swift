import FeedClient
import Fluent
import Foundation
import Logging
import SyncboardCore
import Vapor

/// The process's feed reader (issue 29): one fetcher (its own HTTP client, with the address policy from
/// SYNCBOARD_FEEDS_ALLOW_PRIVATE) and one cache of the feeds' last bodies, shared by every run of the process so a
/// quiet refresh is one conditional GET. Shut down with the application.
final class FeedServices: Sendable {
    let fetcher: FeedFetcher
    let cache: FeedCache

    init(allowPrivate: Bool, logger: Logger = Logger(label: "syncboard.feeds")) {
        fetcher = FeedFetcher(configuration: .init(policy: FeedAddressPolicy(allowPrivate: allowPrivate)), logger: logger)
        cache = FeedCache()
    }

    /// The provider for one run: the process's fetcher and cache, the run's own look-up of its feeds, and what each
    /// fetch reports. A 401 from a feed is the address's credentials, not an account to reconnect: it reads so, and
    /// is a configuration problem (no token refresh is tried).
    func provider(subscriptions: [String: FeedSubscription], report: @escaping @Sendable (FeedFetchReport) async -> Void) -> CalendarProvider {
        let feed = CalendarProvider.feed(fetcher, subscription: { calendar throws(ProviderError) in
            guard let found = subscriptions[calendar.id] else {
                throw ProviderError(.notFound, "this published calendar is no longer stored; add it again")
            }
            return found
        }, cache: cache, report: report)
        @Sendable func mapped(_ error: ProviderError) -> ProviderError {
            error.kind == .unauthorized ? ProviderError(.misconfigured, Self.credentialsRefused) : error
        }
        return CalendarProvider(
            list: { calendar, query throws(ProviderError) in
                do throws(ProviderError) { return try await feed.list(calendar, query) } catch { throw mapped(error) }
            },
            changes: { calendar, cursor, types, hash throws(ProviderError) in
                do throws(ProviderError) { return try await feed.changes(calendar, cursor, types, hash) } catch { throw mapped(error) }
            },
            fetch: { calendar, id, hash throws(ProviderError) in
                do throws(ProviderError) { return try await feed.fetch(calendar, id, hash) } catch { throw mapped(error) }
            },
            writes: nil)
    }

    static let credentialsRefused = "the feed refused the user name or password; edit the feed's address"

    func shutdown() async {
        try? await fetcher.shutdown()
    }
}

/// Shuts the feed fetcher's HTTP client down with the application.
struct FeedServicesLifecycle: LifecycleHandler {
    let feeds: FeedServices

    func shutdown(_ application: Application) {
        let feeds = feeds
        Task { await feeds.shutdown() }
    }

    func shutdownAsync(_ application: Application) async {
        await feeds.shutdown()
    }
}

/// Storing, reading and removing feeds: a feed is a `LinkedAccount` of provider `ics` with one read-only
/// `LinkedCalendar` and its `FeedSubscriptionRecord` (see `CreateFeedSubscriptions` for why).
struct FeedStore {
    let db: any Database
    let vault: TokenVault

    /// The `user:password` written in a typed address, percent-decoded as `FeedURL` reads it, to be sealed apart
    /// from the address; nil when there is none.
    static func inlineCredentials(_ typed: String) -> String? {
        guard let components = URLComponents(string: typed.trimmingCharacters(in: .whitespacesAndNewlines)),
              let user = components.percentEncodedUser else { return nil }
        let password = components.percentEncodedPassword ?? ""
        return (user.removingPercentEncoding ?? user) + ":" + (password.removingPercentEncoding ?? password)
    }

    static let minimumRefreshMinutes = 1
    static let defaultRefreshMinutes = 5

    /// Stores a checked feed for `userID`: its account, its calendar (named `name`) and its subscription, in one
    /// transaction. The credentials are sealed; the address is kept without them.
    @discardableResult
    func add(userID: UUID, feed: FeedURL, credentials: String?, name: String, refreshMinutes: Int, now: Date = Date()) async throws -> LinkedCalendar {
        let key = UUID()
        return try await db.transaction { db in
            let account = LinkedAccount(userID: userID, provider: .icsFeed, subject: key.uuidString, email: feed.description,
                                        displayName: name, grantedScopes: "")
            account.calendarsRefreshedAt = now
            try await account.create(on: db)
            let calendar = LinkedCalendar()
            calendar.$account.id = try account.requireID()
            calendar.provider = .icsFeed
            // The engine's CalendarAccess.id (what the copies' SourceID hashes): stable for the feed's life, whatever
            // its address becomes.
            calendar.providerCalendarID = "feed-" + key.uuidString.lowercased()
            calendar.summary = name
            calendar.timeZone = nil
            calendar.accessRole = "reader"
            calendar.isPrimary = false
            calendar.refreshedAt = now
            try await calendar.create(on: db)
            let record = FeedSubscriptionRecord(id: key, calendarID: try calendar.requireID(), address: feed.url.absoluteString, name: name,
                                                refreshMinutes: refreshMinutes)
            if let credentials { record.credentialsCiphertext = try vault.seal(credentials, context: FeedSubscriptionRecord.vaultContext(key)) }
            try await record.create(on: db)
            return calendar
        }
    }

    /// The shortest refresh interval of the published calendars among `calendarIDs` (a job's), or nil when it has none:
    /// kept on the job so that its next run comes within it (`SyncJob.nextRun`).
    static func refreshMinutes(of calendarIDs: [UUID], on db: any Database) async throws -> Int? {
        guard !calendarIDs.isEmpty else { return nil }
        let minutes = try await FeedSubscriptionRecord.query(on: db).filter(\.$calendar.$id ~~ calendarIDs).all(\.$refreshMinutes)
        return minutes.min().map { max($0, minimumRefreshMinutes) }
    }

    /// The stored feeds of these calendars, by their `providerCalendarID`, as the provider looks them up.
    func subscriptions(for calendars: [LinkedCalendar], timeZone: TimeZone) async throws -> (byCalendarID: [String: FeedSubscription], records: [String: FeedSubscriptionRecord]) {
        let feeds = calendars.filter { $0.provider == .icsFeed }
        guard !feeds.isEmpty else { return ([:], [:]) }
        let ids = feeds.compactMap(\.id)
        let records = try await FeedSubscriptionRecord.query(on: db).filter(\.$calendar.$id ~~ ids).all()
        var subscriptions: [String: FeedSubscription] = [:], byProviderID: [String: FeedSubscriptionRecord] = [:]
        for record in records {
            guard let calendar = feeds.first(where: { $0.id == record.$calendar.id }) else { continue }
            let credentials = try record.credentialsCiphertext.map { try vault.open($0, context: FeedSubscriptionRecord.vaultContext(try record.requireID())) }
            guard let url = try? FeedURL(record.address, credentials: credentials) else { continue }
            subscriptions[calendar.providerCalendarID] = FeedSubscription(url: url, floatingTimeZone: timeZone, lastEventCount: record.lastEventCount)
            byProviderID[calendar.providerCalendarID] = record
        }
        return (subscriptions, byProviderID)
    }

    /// A fetch's report on its feed: its health, the event count an emptied feed is compared with after a restart, and
    /// its failures in a row, which tell the user of a feed that keeps failing (`FeedIncidents`). Read again and
    /// written in one transaction, as two jobs may read the same feed at once.
    static func record(_ report: FeedFetchReport, on read: FeedSubscriptionRecord, db: any Database, now: Date = Date()) async throws {
        try await db.transaction { db in
            let record = try await FeedSubscriptionRecord.find(try read.requireID(), on: db) ?? read
            record.lastFetchedAt = report.at
            record.lastStatus = report.status
            record.lastNotModified = report.notModified
            if let events = report.events {
                record.lastEventsRead = events
                record.lastEventCount = events + report.problems.count
            }
            record.lastError = report.error?.description
            record.consecutiveFailures = report.error == nil ? 0 : record.consecutiveFailures + 1
            try await record.save(on: db)
            try await FeedIncidents(db: db, now: now).fetched(record)
        }
        DataGeneration.bump()
    }

    /// Removes a feed: its account, calendar and subscription go; the jobs that used it are disabled (their names returned).
    func remove(_ account: LinkedAccount) async throws -> [String] {
        let accountID = try account.requireID()
        let name = account.displayName ?? account.email
        return try await db.transaction { db in
            let calendarIDs = try await LinkedCalendar.query(on: db).filter(\.$account.$id == accountID).all(\.$id)
            var disabled: [String] = []
            if !calendarIDs.isEmpty {
                for job in try await SyncJob.using(calendarIDs, userID: account.$user.id, on: db) {
                    job.enabled = false
                    job.nextRunAt = nil
                    job.statusReason = "Disabled because the published calendar “\(name)” was removed. Add it again and pick it to resume."
                    try await job.save(on: db)
                    disabled.append(job.name)
                }
            }
            try await account.delete(on: db)
            return disabled
        }
    }
}
