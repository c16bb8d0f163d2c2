import Foundation
import Plot

/// The user's jobs at a glance: health, source → destinations (or a group's calendars), cadence, last and next run
/// (with each destination's result when there are several), recent results, actions.
struct DashboardPage {
    let layout: PageLayout
    let page: DashboardQuery.Page
    let describeCadence: (DashboardRow) -> String
    /// Recent notices with the unread count (nil: none yet).
    var notices: NoticesPanel?
    /// The user's published calendars and their health.
    var feeds: [DashboardFeed] = []

    func render() -> String {
        let csrf = layout.viewer?.csrfToken ?? ""
        return layout.render(
            .div(.class("actions"), .style("justify-content: space-between"),
                .h1("Sync jobs"),
                .a(.class("button"), .href("/jobs/new"), .id("new-job"), "New job")),
            .unwrap(notices) { $0.node(csrf: csrf) },
            .if(page.pageCount > 1, .p(.class("muted"), .text(showing))),
            .div(.class("job-list"), .forEach(page.rows) { row in card(row, csrf: csrf) }),
            pager,
            DashboardFeed.section(feeds)
        )
    }

    private var showing: String {
        let first = (page.page - 1) * DashboardQuery.pageSize + 1
        return "Jobs \(first)–\(first + page.rows.count - 1) of \(page.totalJobs), by name."
    }

    /// Previous/next links; the dashboard shows one page of jobs so that it stays fast with hundreds of them.
    private var pager: Node<HTML.BodyContext> {
        .if(page.pageCount > 1,
            .nav(.class("actions pager"), .attribute(named: "aria-label", value: "Pages of jobs"),
                 .if(page.page > 1, .a(.class("button secondary small"), .attr("href", "/?page=\(page.page - 1)"), .attribute(named: "rel", value: "prev"), "← Previous")),
                 .span(.class("muted"), .text("Page \(page.page) of \(page.pageCount)")),
                 .if(page.page < page.pageCount, .a(.class("button secondary small"), .attr("href", "/?page=\(page.page + 1)"), .attribute(named: "rel", value: "next"), "Next →"))))
    }

    private func card(_ row: DashboardRow, csrf: String) -> Node<HTML.BodyContext> {
        let id = row.id.uuidString
        let last = row.recentRuns.first
        return .article(.class("card job-card"), .attr("id", "job-\(id)"), .attr("aria-labelledby", "job-title-\(id)"),
            .div(.class("job-head"),
                .h2(.attr("id", "job-title-\(id)"), .a(.attr("href", "/jobs/\(id)"), .safe(row.name))),
                .span(.class("badge badge-\(row.health.rawValue)"), .attr("data-health", row.health.rawValue), .text(row.healthLabel))),
            route(row),
            healthNotice(row),
            .dl(.class("kv compact"),
                .dt("Schedule"), .dd(.text(row.enabled ? describeCadence(row) : "Paused")),
                .dt("Last run"), .dd(lastRun(last)),
                .unwrap(last.flatMap { $0.legs.isEmpty ? nil : $0 }) { run in
                    .group(.dt("By destination"), .dd(resultsByDestination(run.legs, group: row.kind == .group)))
                },
                .dt("Next run"), .dd(row.enabled ? (row.nextRunAt.map { TimeText.node($0) } ?? .text("not scheduled")) : .text("paused"))),
            .div(.class("job-foot"),
                .if(!row.recentRuns.isEmpty,
                    .span(.class("muted small"), .text("Recent runs "),
                          BarChart.runStrip(title: "Last \(row.recentRuns.count) runs, oldest first: \(row.recentRuns.filter { $0.status == .succeeded }.count) succeeded",
                                            statuses: row.recentRuns.reversed().map(\.status)))),
                .div(.class("actions"),
                    postButton("/jobs/\(id)/run", label: "Run now", of: row.name, csrf: csrf, style: "button small", disabled: row.health == .running),
                    row.enabled
                        ? postButton("/jobs/\(id)/pause", label: "Pause", of: row.name, csrf: csrf, style: "button secondary small")
                        : postButton("/jobs/\(id)/resume", label: "Resume", of: row.name, csrf: csrf, style: "button secondary small"))))
    }

    /// "Work → Family, Team" or "Group: A ⇄ B ⇄ C"; the arrows are drawn, and said in words to screen readers.
    private func route(_ row: DashboardRow) -> Node<HTML.BodyContext> {
        func joined(_ sides: [DashboardRow.CalendarSide], drawn: String, said: String) -> [Node<HTML.BodyContext>] {
            sides.enumerated().flatMap { index, calendar in
                (index == 0 ? [] : [.span(.class("arrow"), .attribute(named: "aria-hidden", value: "true"), .text(drawn)),
                                    .span(.class("visually-hidden"), .text(said))]) + [side(calendar)]
            }
        }
        switch row.kind {
        case .copy:
            return .p(.class("route"), side(row.source), .span(.class("arrow"), .attribute(named: "aria-hidden", value: "true"), " → "),
                      .span(.class("visually-hidden"), " to "), .group(joined(row.destinations, drawn: ", ", said: " and ")))
        case .group:
            return .p(.class("route"), .text("Group: "), .group(joined(row.calendars, drawn: " ⇄ ", said: ", ")))
        }
    }

    /// ✓ Family ✗ Team — failed: each destination's outcome in the last run, in words as well as marks and colour.
    private func resultsByDestination(_ legs: [RunLeg], group: Bool) -> Node<HTML.BodyContext> {
        .ul(.class("leg-results"), .forEach(DashboardRow.resultsByDestination(legs)) { result in
            let ok = result.status == .succeeded
            return .li(.class(ok ? "leg-ok" : "leg-bad"),
                       .span(.attribute(named: "aria-hidden", value: "true"), .text(ok ? "✓ " : "✗ ")), .safe(result.name),
                       ok ? .span(.class("visually-hidden"), ": succeeded")
                          : .text(" — \(RunPage.statusLabel(result.status))" + (group ? " from " + result.failedFrom.joined(separator: ", ") : "")))
        })
    }

    private func side(_ side: DashboardRow.CalendarSide) -> Node<HTML.BodyContext> {
        guard let summary = side.summary else { return .span(.class("muted"), "(calendar unlinked)") }
        return .span(.class("calendar"),
                     .span(.class("swatch"), .attr("style", "background:\(AccountsPage.safeColor(side.color))")),
                     .strong(.safe(summary)),
                     .unwrap(side.accountEmail) { email in .span(.class("muted"), .text(" · "), .safe(email)) })
    }

    private func healthNotice(_ row: DashboardRow) -> Node<HTML.BodyContext> {
        switch row.health {
        case .broken:
            return .p(.class("notice notice-error"), .safe(row.brokenReason ?? "This job cannot run."), .text(" "),
                      .a(.attr("href", "/jobs/\(row.id.uuidString)/edit"), "Edit the job"))
        case .needsReconnect:
            let email = row.accountToReconnect?.accountEmail
            let service = row.accountToReconnect?.provider.displayName ?? "Google"
            return .p(.class("notice notice-warning"), .text("\(service) no longer accepts Syncboard's access to \(email ?? "an account"). "),
                      .a(.href("/accounts"), .class("reconnect-link"), "Reconnect it"))
        case .failing:
            let error = row.recentRuns.first(where: { $0.status != .succeeded })?.errorSummary ?? row.statusReason
            return .p(.class("notice notice-error"), .strong("Last run failed: "), .safe(error ?? "see the run's log"), .text(" "),
                      .unwrap(row.recentRuns.first) { .a(.attr("href", "/runs/\($0.id.uuidString)"), "Open the run") })
        case .paused:
            return .unwrap(row.statusReason) { .p(.class("notice"), .safe($0)) }
        default:
            return .empty
        }
    }

    private func lastRun(_ run: DashboardRow.RecentRun?) -> Node<HTML.BodyContext> {
        guard let run else { return .text("never") }
        return .group(
            .a(.attr("href", "/runs/\(run.id.uuidString)"), TimeText.node(run.finishedAt ?? run.queuedAt)),
            .text(" · "), .span(.class("badge badge-\(run.status.rawValue)"), .text(RunPage.statusLabel(run.status))),
            .if(run.created != nil, .text(" · \(run.created ?? 0) created, \(run.updated ?? 0) updated, \(run.deleted ?? 0) deleted")))
    }

    /// A card's button; its accessible name also names the job, as every card has the same buttons.
    private func postButton(_ action: String, label: String, of job: String, csrf: String, style: String, disabled: Bool = false) -> Node<HTML.BodyContext> {
        .form(.method(.post), .attr("action", action),
              .input(.type(.hidden), .name(CSRFProtection.formField), .attr("value", csrf)),
              .button(.type(.submit), .class(style), .if(disabled, .attribute(named: "disabled")), .text(label),
                      .span(.class("visually-hidden"), .safe(" " + job))))
    }
}
