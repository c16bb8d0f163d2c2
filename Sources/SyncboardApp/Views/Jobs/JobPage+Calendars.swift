import Foundation
import Plot
import SyncboardCore

extension JobPage {
    /// The configuration's rows naming the calendars: what kind of job it is, then the source and each destination,
    /// or a group's members, by name and account.
    func calendarRows() -> Node<HTML.DescriptionListContext> {
        let spec = data.job.spec
        switch spec.kind {
        case .copy:
            let destinations = spec.destinationCalendarIDs
            return .group(
                .dt("Kind"), .dd(.id("job-kind"), .text(destinations.count > 1 ? "Copy one calendar into \(destinations.count) others" : "Copy one calendar into another")),
                .dt("Copies from"), .dd(calendar(spec.sourceCalendarID)),
                .dt("Copies to"), .dd(destinations.count > 1 ? calendarList(destinations) : calendar(destinations.first)))
        case .group:
            let members = spec.memberCalendarIDs
            return .group(
                .dt("Kind"), .dd(.id("job-kind"), .text("Sync group: each calendar's events become busy blocks in all the others (\(Self.directions(spec.legs(readOnly: Set(data.feeds.keys)).count))"
                                                        + (data.feeds.isEmpty ? ")" : "; a published calendar is only read: nothing is written into it)"))),
                .dt("Calendars in the group"), .dd(calendarList(members)))
        }
    }

    static func directions(_ count: Int) -> String { count == 1 ? "1 direction" : "\(count) directions" }

    private func calendarList(_ ids: [UUID]) -> Node<HTML.BodyContext> {
        .ul(.class("calendar-list"), .forEach(ids) { id in .li(calendar(id)) })
    }

    private func calendar(_ id: UUID?) -> Node<HTML.BodyContext> {
        let found = data.calendar(id)
        guard let calendar = found.calendar else { return .span(.class("muted"), "no calendar (its account was unlinked)") }
        return .group(.span(.class("swatch"), .attr("style", "background:\(AccountsPage.safeColor(calendar.backgroundColor))")),
                      .strong(.safe(calendar.summary)), .text(" · "), .safe(found.account?.email ?? ""),
                      .if(calendar.removedAt != nil, .span(.class("badge badge-broken"), .style("margin-left:.4rem"), .text("no longer on \(calendar.provider.displayName)"))),
                      .unwrap(calendar.id.flatMap { data.feeds[$0] }) { feed in feedHealth(feed) })
    }

    /// A published calendar's last fetch: when, its HTTP status (a 304 said so), events read, its problem.
    private func feedHealth(_ feed: FeedSubscriptionRecord) -> Node<HTML.BodyContext> {
        .span(.class("muted feed-health"), .id("feed-health-\(feed.$calendar.id.uuidString)"),
              .text(" · published calendar, refreshed every \(feed.refreshMinutes) min · last fetch "),
              feed.lastFetchedAt.map { TimeText.node($0) } ?? .text("not yet"),
              .unwrap(feed.lastStatus) { status in .text(" · HTTP \(status)\(feed.lastNotModified == true ? " (not modified)" : "")") },
              .unwrap(feed.lastEventsRead) { events in .text(" · \(events) events read") },
              .unwrap(feed.nextFetchAt) { next in .group(.text(" · next fetch "), TimeText.node(next)) },
              .unwrap(feed.lastError) { error in .span(.class("error"), .text(" · \(error)")) })
    }
}
