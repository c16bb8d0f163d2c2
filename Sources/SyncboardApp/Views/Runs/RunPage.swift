import Foundation
import Plot

/// One run: what it was, how it went (each direction's outcome when the job has several), what to do next, and its
/// log (live while it runs, searchable).
struct RunPage {
    let layout: PageLayout
    let run: JobRun
    let job: SyncJob
    let lines: [RunLogLine]
    let search: String?
    /// The account a "needs reconnect" run names, when it is still linked.
    var reconnect: RunAdvice.Account? = nil

    func render() -> String {
        let runID = run.id?.uuidString ?? ""
        let jobID = job.id ?? UUID()
        let active = !run.status.isFinal
        // Outside the page's one expression: inside it, this `+` with a ternary took the type checker 10 s.
        let trigger: String = Self.triggerLabel(run.trigger) + (run.attempt > 1 ? " (attempt \(run.attempt))" : "")
        return layout.render(
            .nav(.class("muted"), .attribute(named: "aria-label", value: "Breadcrumb"),
                 .a(.href("/"), "Dashboard"), .text(" › "), .a(.attr("href", "/jobs/\(jobID.uuidString)"), .safe(job.name)), .text(" › run")),
            .div(.class("actions"), .style("justify-content: space-between"),
                .h1(.text("Run of "), .safe(job.name)),
                .span(.class("badge badge-\(run.status.rawValue)"), .id("run-status"), .text(Self.statusLabel(run.status)))),
            .unwrap(run.errorSummary.flatMap { run.status == .succeeded ? nil : $0 }) { summary in
                .div(.class("notice notice-error"), .attribute(named: "role", value: "alert"), .id("run-error"),
                     .strong("What happened: "), .safe(summary))
            },
            .unwrap(RunAdvice.advice(for: run, jobID: jobID, reconnect: reconnect)) { advice in
                .div(.class("notice notice-warning"), .id("run-advice"),
                     .strong("What to do: "), .safe(advice.message),
                     .unwrap(advice.actionPath) { path in .group(.text(" "), .a(.attr("href", path), .text(advice.actionLabel ?? "Go"))) })
            },
            .section(.class("card"),
                .dl(.class("kv"),
                    .dt("Mode"), .dd(.text(Self.modeLabel(run.mode))),
                    .dt("Trigger"), .dd(.text(trigger)),
                    .dt("Engine"), .dd(.text(RunEngine.displayName(stored: run.engine))),
                    .unwrap(run.syncKind) { kind in .group(.dt("Sync"), .dd(.id("run-sync-kind"), .text(Self.syncLabel(kind, reason: run.syncReason)))) },
                    .unwrap(run.sandboxed) { sandboxed in
                        .group(.dt("Sandbox"), .dd(.id("run-sandbox"), .text(Self.sandboxLabel(sandboxed))))
                    },
                    .dt("Queued"), .dd(TimeText.node(run.queuedAt)),
                    .dt("Started"), .dd(run.startedAt.map { TimeText.node($0) } ?? .text("not yet")),
                    .dt("Finished"), .dd(run.finishedAt.map { TimeText.node($0) } ?? .text(active ? "still running" : "—")),
                    .dt("Duration"), .dd(.text(run.durationMilliseconds.map(Self.duration) ?? "—")),
                    .dt("Events"), .dd(.id("run-counts"), .text(Self.counts(run))),
                    .if(run.exitCode != nil, .group(.dt("Exit status"), .dd(.text(run.exitCode.map(String.init) ?? "")))))),
            directionsSection(),
            .if(active, .form(.method(.post), .attr("action", "/runs/\(runID)/cancel"),
                              .input(.type(.hidden), .name(CSRFProtection.formField), .attr("value", layout.viewer?.csrfToken ?? "")),
                              .button(.type(.submit), .class("button danger small"), "Cancel this run"))),
            .section(.attr("aria-labelledby", "log-heading"),
                .div(.class("actions"), .style("justify-content: space-between"),
                    .h2(.id("log-heading"), "Log"),
                    .form(.method(.get), .attr("action", "/runs/\(runID)"), .class("actions log-search"), .attribute(named: "role", value: "search"),
                          .label(.for("log-search"), .class("muted"), "Search the log"),
                          .input(.type(.search), .id("log-search"), .name("q"), .attr("value", search ?? "")),
                          .button(.type(.submit), .class("button secondary small"), "Search"))),
                .if(run.logDroppedCount > 0,
                    .p(.class("muted"), .text("\(run.logDroppedCount) line(s) were left out to keep the log within its size limit."))),
                // role=log: new lines of a live run are announced politely (after what is being read), not the
                // whole log again; tabindex so that keyboard users can scroll it.
                .element(named: "pre", nodes: [
                    .class("log"), .id("run-log"), .attr("data-run-id", runID), .attr("data-active", active ? "true" : "false"),
                    .attr("data-last-seq", String(lines.last?.seq ?? -1)), .attribute(named: "tabindex", value: "0"),
                    .attribute(named: "role", value: "log"), .attribute(named: "aria-labelledby", value: "log-heading"),
                    .attribute(named: "aria-live", value: active ? "polite" : "off"),
                    .group(visibleLines.map(lineNode)),
                ]),
                .if(lines.isEmpty, .p(.class("muted"), .id("log-empty"), .text(active ? "Waiting for the first line…" : "This run wrote no log."))),
                .if(search != nil, .p(.class("muted"), .text("\(visibleLines.count) of \(lines.count) lines match. "),
                                      .a(.attr("href", "/runs/\(runID)"), "Show all"))))
        )
    }

    private var visibleLines: [RunLogLine] {
        guard let search else { return lines }
        return lines.filter { $0.text.localizedCaseInsensitiveContains(search) }
    }

    private func lineNode(_ line: RunLogLine) -> Node<HTML.BodyContext> {
        .span(.class(line.stream.rawValue), .attr("data-seq", String(line.seq)), highlighted(line.text), .text("\n"))
    }

    /// The line with each match of the search term marked (escaped piece by piece).
    private func highlighted(_ text: String) -> Node<HTML.BodyContext> {
        guard let search, !search.isEmpty else { return .safe(text) }
        var nodes: [Node<HTML.BodyContext>] = []
        var rest = Substring(text)
        while let range = rest.range(of: search, options: .caseInsensitive) {
            nodes.append(.safe(String(rest[..<range.lowerBound])))
            nodes.append(.element(named: "mark", nodes: [.safe(String(rest[range]))]))
            rest = rest[range.upperBound...]
        }
        nodes.append(.safe(String(rest)))
        return .group(nodes)
    }

    static func statusLabel(_ status: JobRun.Status) -> String {
        switch status {
        case .queued: return "queued"
        case .running: return "running"
        case .succeeded: return "succeeded"
        case .failed: return "failed"
        case .needsReconnect: return "needs reconnect"
        case .timedOut: return "timed out"
        case .cancelled: return "cancelled"
        case .abandoned: return "abandoned"
        case .interrupted: return "interrupted"
        }
    }

    static func modeLabel(_ mode: JobRun.Mode) -> String {
        switch mode {
        case .sync: return "Sync"
        case .dryRun: return "Dry run (nothing written)"
        case .clean: return "Clean up (removes the events this job created)"
        }
    }

    static func triggerLabel(_ trigger: JobRun.Trigger) -> String {
        switch trigger {
        case .scheduled: return "On schedule"
        case .catchUp: return "Catch-up after downtime"
        case .manual: return "Run now"
        case .retry: return "Automatic retry"
        case .recovery: return "Recovery after a worker stopped"
        }
    }

    /// Whether CalendarSync ran in the bubblewrap sandbox (said in words, not by colour).
    static func sandboxLabel(_ sandboxed: Bool) -> String {
        sandboxed ? "Yes: CalendarSync saw only its run directory, system files and the network (bubblewrap)"
            : "No: CalendarSync ran with Syncboard's own access (the log says why)"
    }

    static func counts(_ run: JobRun) -> String {
        guard run.createdCount != nil || run.updatedCount != nil || run.deletedCount != nil else { return "not reported" }
        return "\(run.createdCount ?? 0) created, \(run.updatedCount ?? 0) updated, \(run.deletedCount ?? 0) deleted"
    }

    static func duration(_ milliseconds: Int) -> String {
        if milliseconds < 1000 { return "\(milliseconds) ms" }
        let seconds = Double(milliseconds) / 1000
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        return "\(Int(seconds) / 60) min \(Int(seconds) % 60) s"
    }
}
