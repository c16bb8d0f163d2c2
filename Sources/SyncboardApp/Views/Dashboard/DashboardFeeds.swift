import FeedClient
import Fluent
import Foundation
import Plot
import SyncboardCore

/// The dashboard's published calendars (issue 29): each feed's health (last fetch, HTTP status, whether it was a 304,
/// events read, next fetch), a failing one standing out with its reason and what to do.
struct DashboardFeed: Sendable {
    let accountID: UUID
    let name: String
    /// Redacted (`FeedURL.description`): no credentials, query or secret path.
    let address: String
    let refreshMinutes: Int
    let lastFetchedAt: Date?
    let lastStatus: Int?
    let notModified: Bool
    let eventsRead: Int?
    let lastError: String?
    let consecutiveFailures: Int
    /// The soonest next run of an enabled job that reads it; nil when no job does.
    let nextFetch: Date?

    var failing: Bool { lastError != nil }

    /// The user's feeds by name, with the next run of the jobs that read them (two queries and the user's jobs).
    static func load(userID: UUID, on db: any Database) async throws -> [DashboardFeed] {
        let accounts = try await LinkedAccount.query(on: db).filter(\.$user.$id == userID).filter(\.$provider == .icsFeed).all()
        guard !accounts.isEmpty else { return [] }
        let calendars = try await LinkedCalendar.query(on: db).filter(\.$account.$id ~~ accounts.compactMap(\.id)).all()
        let records = try await FeedSubscriptionRecord.query(on: db).filter(\.$calendar.$id ~~ calendars.compactMap(\.id)).all()
        let jobs = try await SyncJob.query(on: db).filter(\.$user.$id == userID).filter(\.$enabled == true).all()
        return records.compactMap { record -> DashboardFeed? in
            guard let calendar = calendars.first(where: { $0.id == record.$calendar.id }), let calendarID = calendar.id else { return nil }
            let next = jobs.filter { $0.spec.memberCalendarIDs.contains(calendarID) }.compactMap(\.nextRunAt).min()
            return DashboardFeed(accountID: calendar.$account.id, name: record.name,
                                 address: (try? FeedURL(record.address))?.description ?? "",
                                 refreshMinutes: record.refreshMinutes, lastFetchedAt: record.lastFetchedAt, lastStatus: record.lastStatus,
                                 notModified: record.lastNotModified == true, eventsRead: record.lastEventsRead, lastError: record.lastError,
                                 consecutiveFailures: record.consecutiveFailures, nextFetch: next)
        }.sorted { $0.name.localizedStandardCompare($1.name) == .orderedAscending }
    }

    /// The section: nothing when the user has no feed.
    static func section(_ feeds: [DashboardFeed]) -> Node<HTML.BodyContext> {
        guard !feeds.isEmpty else { return .empty }
        return .section(.class("card feeds"), .id("feeds"), .attr("aria-labelledby", "feeds-title"),
            .h2(.id("feeds-title"), "Published calendars"),
            .ul(.class("feed-list"), .forEach(feeds) { feed in feed.item }))
    }

    private var item: Node<HTML.ListContext> {
        let id = accountID.uuidString
        let status: String = lastStatus.map { notModified ? "HTTP \($0) (not modified)" : "HTTP \($0)" } ?? "no answer"
        return .li(.class(failing ? "feed-failing" : "feed-ok"), .id("dashboard-feed-\(id)"), .attr("data-health", failing ? "failing" : "healthy"),
            .strong(.text(name)), .text(" "),
            .span(.class("badge badge-\(failing ? "failing" : lastFetchedAt == nil ? "new" : "healthy")"),
                  .text(failing ? "failing" : lastFetchedAt == nil ? "not fetched yet" : "healthy")),
            .span(.class("muted"), .text(" · "), .code(.text(address))),
            .dl(.class("kv compact"),
                .dt("Last fetch"), .dd(lastFetchedAt.map { .group(TimeText.node($0), .text(" · \(status)")) } ?? .text("not yet")),
                .dt("Events read"), .dd(.text(eventsRead.map(String.init) ?? "—")),
                .dt("Next fetch"), .dd(nextFetch.map { .group(TimeText.node($0), .text(" (every \(refreshMinutes) min)")) }
                                       ?? .text("no enabled job reads it"))),
            .unwrap(lastError) { error in
                .p(.class("notice notice-error"), .strong(.text(consecutiveFailures > 1 ? "Failed \(consecutiveFailures) fetches in a row: " : "The last fetch failed: ")),
                   .text(error), .text(" "), .text(Self.nextStep(status: lastStatus)), .text(" "),
                   .a(.href("/accounts#feed-card-\(id)"), "Check the feed"))
            })
    }

    /// What to do about a failing feed, from its last HTTP status.
    static func nextStep(status: Int?) -> String {
        switch status {
        case 401, 403: return "The publisher refuses the user name or password: remove the feed and add it again with the right ones."
        case 404, 410: return "The address no longer serves the calendar: ask its publisher for the new address, then remove the feed and add that one."
        case .some(let code) where code >= 500 || code == 429: return "The publisher's server is failing or busy; Syncboard tries again at the refresh interval, nothing to do unless it goes on."
        default: return "Open the address in a browser to see what it serves; Syncboard tries again at the refresh interval and keeps the copies it made."
        }
    }
}
