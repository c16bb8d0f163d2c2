import Foundation
import Plot

/// Insights from Syncboard's own telemetry: runs per day by outcome, each job's success rate and median
/// duration, and page views per page and day. Nothing leaves the server.
struct InsightsPage {
    let layout: PageLayout
    let data: InsightsData
    let pageViewsEnabled: Bool

    static let outcomes: [(status: JobRun.Status, label: String)] = [
        (.succeeded, "succeeded"), (.failed, "failed"), (.needsReconnect, "needs reconnect"), (.timedOut, "timed out"), (.cancelled, "cancelled"),
    ]

    func render() -> String {
        let bars = data.runsPerDay.map { day in
            BarChart.Bar(label: Self.shortDay(day.day), segments: Self.outcomes.map { outcome in
                BarChart.Segment(value: Double(day.counts[outcome.status.rawValue] ?? 0), colorClass: BarChart.colorClass(outcome.status))
            })
        }
        return layout.render(
            .h1("Insights"),
            .p(.class("muted"), "From Syncboard's own records on this server. Nothing is sent to any third party."),
            .section(.class("card"), .attr("aria-labelledby", "runs-per-day"),
                .h2(.id("runs-per-day"), "Runs per day, last 14 days"),
                BarChart.svg(title: "Runs per day by outcome", bars: bars),
                .ul(.class("legend"), .forEach(Self.outcomes) { outcome in
                    .li(BarChart.legendKey(outcome.status), .text(outcome.label))
                }),
                // The chart's numbers in words too: a picture alone does not reach a screen reader.
                .details(.id("runs-per-day-table"),
                    .summary("Show the numbers"),
                    .div(.class("table-wrap"), .table(
                        .thead(.tr(.th("Day (UTC)"), .forEach(Self.outcomes) { .th(.text($0.label)) })),
                        .tbody(.forEach(data.runsPerDay) { day in
                            .tr(.td(.text(Self.plainDay(day.day))), .forEach(Self.outcomes) { outcome in .td(.text("\(day.counts[outcome.status.rawValue] ?? 0)")) })
                        }))))),
            .section(.class("card"), .attr("aria-labelledby", "per-job"),
                .h2(.id("per-job"), "Jobs, last 30 days"),
                data.jobs.isEmpty
                    ? .p(.class("muted"), "No runs yet.")
                    : .div(.class("table-wrap"), .table(
                        .thead(.tr(.th("Job"), .th("Runs"), .th("Success rate"), .th("Median duration"))),
                        .tbody(.forEach(data.jobs) { job in
                            .tr(.td(.a(.attr("href", "/jobs/\(job.jobID.uuidString)"), .safe(job.name))),
                                .td(.text("\(job.runs)")),
                                .td(.text(job.runs == 0 ? "—" : "\(Int((Double(job.succeeded) / Double(job.runs) * 100).rounded())) %")),
                                .td(.text(job.medianMilliseconds.map(RunPage.duration) ?? "—")))
                        })))),
            .section(.class("card"), .attr("aria-labelledby", "page-views"),
                .h2(.id("page-views"), "Page views per day"),
                !pageViewsEnabled
                    ? .p(.class("muted"), "Page-view counting is switched off (SYNCBOARD_TELEMETRY_PAGE_VIEWS=false).")
                    : data.pageViews.isEmpty ? .p(.class("muted"), "No page views recorded yet.")
                    : .div(.class("table-wrap"), .table(
                        .thead(.tr(.th("Page"), .forEach(data.days.suffix(7)) { .th(.class("optional"), .text(Self.shortDay($0))) }, .th("14 days"))),
                        .tbody(.forEach(data.pageViews.keys.sorted()) { page in
                            .tr(.td(.code(.safe(page))),
                                .forEach(data.days.suffix(7)) { day in .td(.class("optional"), .text("\(data.pageViews[page]?[day] ?? 0)")) },
                                .td(.text("\(data.pageViews[page]?.values.reduce(0, +) ?? 0)")))
                        }))))
        )
    }

    /// Telemetry keys days as "2026-11-12Z" (UTC); people read "2026-11-12".
    static func plainDay(_ day: String) -> String { day.hasSuffix("Z") ? String(day.dropLast()) : day }

    /// "11-12": month and day, for chart labels and column headings.
    static func shortDay(_ day: String) -> String { String(plainDay(day).suffix(5)) }
}
