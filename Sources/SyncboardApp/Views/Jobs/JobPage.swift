import Foundation
import Plot
import SyncboardCore

/// One job: its configuration in words, its actions, a chart of recent durations and outcomes, and its runs.
struct JobPage {
    let layout: PageLayout
    let data: JobPageData

    func render() -> String {
        let job = data.job
        let id = job.id?.uuidString ?? ""
        let csrf = layout.viewer?.csrfToken ?? ""
        let catalog = SyncCatalog.pinned
        let pages = max(1, (data.totalRuns + JobPageData.pageSize - 1) / JobPageData.pageSize)
        return layout.render(
            .nav(.class("muted"), .attribute(named: "aria-label", value: "Breadcrumb"), .a(.href("/"), "Dashboard"), .text(" › "), .safe(job.name)),
            .div(.class("actions"), .style("justify-content: space-between"),
                .h1(.safe(job.name)),
                .span(.class("badge badge-\(job.enabled ? "active" : "paused")"), .text(job.enabled ? "enabled" : "paused"))),
            .unwrap(job.statusReason) { .p(.class("notice notice-warning"), .safe($0)) },
            .div(.class("actions"),
                post("/jobs/\(id)/run", "Run now", csrf, "button"),
                post("/jobs/\(id)/dry-run", "Dry run", csrf, "button secondary", id: "dry-run"),
                post("/jobs/\(id)/clean", "Clean up", csrf, "button secondary", id: "clean-up"),
                job.enabled ? post("/jobs/\(id)/pause", "Pause", csrf, "button secondary") : post("/jobs/\(id)/resume", "Resume", csrf, "button secondary"),
                .a(.class("button secondary"), .attr("href", "/jobs/\(id)/edit"), "Edit"),
                post("/jobs/\(id)/duplicate", "Duplicate", csrf, "button secondary"),
                .a(.class("button secondary"), .attr("href", "/jobs/\(id)/config"), "Show config"),
                .a(.class("button danger"), .attr("href", "/jobs/\(id)/delete"), "Delete…")),
            .p(.class("hint"), .text("Dry run shows what a sync would change without writing anything. Clean up removes, in the sync window, every event this job created in "
                                     + (job.spec.hasSeveralLegs ? "its calendars." : "the destination."))),
            .section(.class("card"), .h2("Configuration"),
                .dl(.class("kv"),
                    calendarRows(),
                    .dt("What is copied"), .dd(.text(describe(job.transformers, kind: .transformer, catalog: catalog, none: "start and end times only"))),
                    .dt("What is skipped"), .dd(.text(describe(job.filters, kind: .filter, catalog: catalog, none: "nothing"))),
                    .dt("Window"), .dd(.text(job.window.description)),
                    .dt("Schedule"), .dd(.text("\(job.cadence.words(jobID: job.id)), \(job.timeZone)" + DashboardRow.feedNote(job.feedRefreshMinutes))),
                    .dt("Next run"), .dd(job.enabled ? (job.nextRunAt.map { TimeText.node($0) } ?? .text("not scheduled")) : .text("paused")),
                    data.syncStatus?.rows() ?? .empty,
                    .dt("Events written at once"), .dd(.text(String(job.updateConcurrency))),
                    .dt("Copies you delete"), .dd(.text(job.deletionsStick ? "stay deleted" : "are made again by the next full run")))),
            deletedCopiesSection(),
            .section(.class("card"), .attr("aria-labelledby", "history-chart"),
                .h2(.id("history-chart"), "Recent runs"),
                data.chartRuns.isEmpty ? .p(.class("muted"), "No runs yet.") : durationChart,
                .ul(.class("legend"),
                    .li(BarChart.legendKey(.succeeded), .text("succeeded")),
                    .li(BarChart.legendKey(.failed), .text("failed")),
                    .li(BarChart.legendKey(.needsReconnect), .text("needs reconnect")))),
            .section(.class("card"), .attr("aria-labelledby", "history"),
                .h2(.id("history"), .text("Run history (\(data.totalRuns))")),
                data.runs.isEmpty ? .p(.class("muted"), "No runs yet. Use “Run now” or wait for the schedule.") :
                .div(.class("table-wrap"), .table(
                    .thead(.tr(.th("When"), .th("Result"), .th(.class("optional"), "Trigger"), .th("Events"), .th(.class("optional"), "Duration"))),
                    .tbody(.forEach(data.runs) { run in
                        .tr(.td(.a(.attr("href", "/runs/\(run.id?.uuidString ?? "")"), TimeText.node(run.startedAt ?? run.queuedAt))),
                            .td(.span(.class("badge badge-\(run.status.rawValue)"), .text(RunPage.statusLabel(run.status))),
                                .if(run.mode != .sync, .span(.class("muted"), .text(" " + RunPage.modeLabel(run.mode).lowercased())))),
                            .td(.class("optional"), .text(RunPage.triggerLabel(run.trigger))),
                            .td(.text(RunPage.counts(run))),
                            .td(.class("optional"), .text(run.durationMilliseconds.map(RunPage.duration) ?? "—")))
                    }))),
                .if(pages > 1, .nav(.class("actions"), .attribute(named: "aria-label", value: "Run history pages"),
                    .if(data.page > 1, .a(.class("button secondary small"), .attr("href", "/jobs/\(id)?page=\(data.page - 1)"), "Newer")),
                    .span(.class("muted"), .text("Page \(data.page) of \(pages)")),
                    .if(data.page < pages, .a(.class("button secondary small"), .attr("href", "/jobs/\(id)?page=\(data.page + 1)"), "Older")))))
        )
    }

    private var durationChart: Node<HTML.BodyContext> {
        let bars = data.chartRuns.map { run in
            BarChart.Bar(label: (run.startedAt ?? run.queuedAt).formatted(.dateTime.month(.twoDigits).day(.twoDigits)),
                         segments: [BarChart.Segment(value: max(Double(run.durationMilliseconds ?? 0) / 1000, 0.05),
                                                     colorClass: BarChart.colorClass(run.status))])
        }
        return BarChart.svg(title: "Duration in seconds of the last \(bars.count) runs, coloured by outcome", bars: bars, height: 140)
    }

    private func describe(_ steps: [ConfiguredStep], kind: SyncCatalog.Kind, catalog: SyncCatalog, none: String) -> String {
        guard !steps.isEmpty else { return none }
        return steps.map { step in
            let label = catalog.entry(kind, named: step.name)?.label ?? step.name
            // Text values in quotes, so that spaces (a prefix "[Work] ") and empty values show.
            let parameters = step.parameters.keys.sorted().map { key -> String in
                switch step.parameters[key]! {
                case .string(let text): "\(key) “\(text)”"
                case let value: "\(key) \(value.description)"
                }
            }
            return parameters.isEmpty ? label : "\(label) (\(parameters.joined(separator: ", ")))"
        }.joined(separator: "; ")
    }

    private func post(_ action: String, _ label: String, _ csrf: String, _ style: String, id: String? = nil) -> Node<HTML.BodyContext> {
        .form(.method(.post), .attr("action", action),
              .input(.type(.hidden), .name(CSRFProtection.formField), .attr("value", csrf)),
              .button(.type(.submit), .class(style), .attr("id", id ?? ""), .text(label)))
    }
}

struct ConfirmDeletePage {
    let layout: PageLayout
    let job: SyncJob

    func render() -> String {
        layout.render(.section(.class("card narrow"),
            .h1(.text("Delete “"), .safe(job.name), .text("”?")),
            .p("The job and its run history are deleted. Events it already copied stay in the destination calendar; to remove them, run “Clean up” first."),
            .form(.method(.post), .attr("action", "/jobs/\(job.id?.uuidString ?? "")/delete"), .class("actions"),
                  .input(.type(.hidden), .name(CSRFProtection.formField), .attr("value", layout.viewer?.csrfToken ?? "")),
                  .button(.type(.submit), .class("button danger"), "Delete the job"),
                  .a(.class("button secondary"), .attr("href", "/jobs/\(job.id?.uuidString ?? "")"), "Keep it"))))
    }
}

struct ConfigPage {
    let layout: PageLayout
    let job: SyncJob
    let yaml: String

    func render() -> String {
        layout.render(
            .h1(.text("CalendarSync configuration")),
            .p(.text("This is the "), .code("sync.yaml"), .text(" a run of “"), .safe(job.name),
               .text("” uses, with the OAuth client secret left out. Tokens never appear here: each run gets them in a separate, encrypted file.")),
            // Focusable, so that keyboard users can scroll it; a named region, as it is long.
            .element(named: "pre", nodes: [.class("log"), .id("config-yaml"), .attribute(named: "tabindex", value: "0"),
                                           .attribute(named: "role", value: "region"), .attribute(named: "aria-label", value: "sync.yaml"), .safe(yaml)]),
            .p(.class("actions"), .a(.class("button secondary"), .attr("href", "/jobs/\(job.id?.uuidString ?? "")/config?download=1"), "Download sync.yaml"),
               .a(.class("button secondary"), .attr("href", "/jobs/\(job.id?.uuidString ?? "")"), "Back to the job")))
    }
}
