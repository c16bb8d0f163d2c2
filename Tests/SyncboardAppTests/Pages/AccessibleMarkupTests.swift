import Fluent
import Foundation
import Testing
import VaporTesting
@testable import SyncboardApp

/// The markup that assistive technology relies on (the browser journeys check the rendered pages with axe-core;
/// these pin down what axe cannot know: where an error's link leads, and which log is live).
@Suite("Pages: accessible markup")
struct AccessibleMarkupTests {
    /// The attributes of the element with this id, or nil when there is none.
    static func element(withID id: String, in html: String) -> String? {
        guard let range = html.range(of: "id=\"\(id)\"") else { return nil }
        let start = html[..<range.lowerBound].lastIndex(of: "<") ?? range.lowerBound
        let end = html[range.upperBound...].firstIndex(of: ">") ?? html.endIndex
        return String(html[start..<end])
    }

    static func attribute(_ name: String, of element: String) -> String? {
        guard let range = element.range(of: " \(name)=\"") else { return nil }
        return String(element[range.upperBound...].prefix { $0 != "\"" })
    }

    @Test("each error in the form's summary links to its control, which is marked invalid and described by the error")
    func errorsLeadToTheirFields() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let world = try await JobsTests.world(app)
            let response = try await world.client.post("/jobs", form: [
                "name": "", "source": try world.work.requireID().uuidString, "destination": try world.work.requireID().uuidString,
                "f.TimeFrame": "on", "f.TimeFrame.HourStart": "9", "f.TimeFrame.HourEnd": "30",
                "cadence": "cron", "cronExpression": "61 * * * *", "windowStart": "MonthStart", "windowStartOffset": "2",
                "windowEnd": "MonthEnd", "windowEndOffset": "-1", "updateConcurrency": "1",
            ])
            #expect(response.status == .unprocessableEntity)
            let html = response.body.string
            let summaryStart = try #require(html.range(of: "id=\"form-errors\""))
            let summary = String(html[summaryStart.upperBound...].prefix(while: { _ in true }).components(separatedBy: "</ul>")[0])
            let targets = summary.components(separatedBy: "href=\"#").dropFirst().map { String($0.prefix { $0 != "\"" }) }
            // The name, the destination (the same as the source), the hour, the cron expression, the window.
            #expect(Set(targets).isSuperset(of: ["field-name", "field-destination", "field-f-TimeFrame-HourEnd", "field-cronExpression", "field-windowEnd"]),
                    "\(targets)")
            for target in targets {
                let control = try #require(Self.element(withID: target, in: html), "the summary links to #\(target), which exists")
                #expect(control.hasPrefix("<input") || control.hasPrefix("<select"), "#\(target) is a control: \(control)")
                #expect(Self.attribute("aria-invalid", of: control) == "true", "#\(target) is marked invalid")
                let described = (Self.attribute("aria-describedby", of: control) ?? "").split(separator: " ").map(String.init)
                let errors = described.filter { $0.hasPrefix("error-") }
                #expect(errors.count == 1, "#\(target) is described by its error: \(described)")
                for id in described {
                    #expect(Self.element(withID: id, in: html) != nil, "#\(target) is described by #\(id), which exists")
                }
            }
            #expect(Self.element(withID: "form-errors", in: html).map { Self.attribute("tabindex", of: $0) } == "-1",
                    "the summary can take focus")
            // A field without an error is not marked.
            #expect(Self.attribute("aria-invalid", of: try #require(Self.element(withID: "field-timeZone", in: html))) == nil)
        }
    }

    @Test("the cadence radios are a group named by a legend")
    func cadenceIsAGroup() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let world = try await JobsTests.world(app)
            let html = try await world.client.get("/jobs/new").body.string
            let group = try #require(html.range(of: "<fieldset class=\"plain\" id=\"cadence\"").map { String(html[$0.lowerBound...]) })
            let fieldset = try #require(group.components(separatedBy: "</fieldset>").first)
            #expect(fieldset.contains("<legend>How often</legend>"))
            let radios = fieldset.components(separatedBy: "name=\"cadence\"").count - 1
            #expect(radios >= 4 && radios == html.components(separatedBy: "name=\"cadence\"").count - 1, "every cadence radio is in it")
            #expect(!html.contains("role=\"radiogroup\""))
        }
    }

    @Test("a running run's log is a polite live log; a finished one is not live", arguments: [JobRun.Status.running, .succeeded])
    func liveLog(status: JobRun.Status) async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let world = try await JobsTests.world(app)
            let job = try await Fixtures.job(app.db, user: world.user, source: world.work, destination: world.home, name: "Log", nextRunAt: nil, enabled: false)
            let run = JobRun(jobID: job, trigger: .manual, mode: .sync, status: status, scheduledFor: nil, queuedAt: Date())
            if status.isFinal { run.finishedAt = Date() }
            try await run.create(on: app.db)
            let html = try await world.client.get("/runs/\(try run.requireID())").body.string
            let log = try #require(Self.element(withID: "run-log", in: html), "\(html.components(separatedBy: "<main").last?.prefix(600) ?? "")")
            #expect(Self.attribute("role", of: log) == "log")
            #expect(Self.attribute("aria-live", of: log) == (status == .running ? "polite" : "off"))
            #expect(Self.attribute("aria-labelledby", of: log).flatMap { Self.element(withID: $0, in: html) }?.hasPrefix("<h2") == true,
                    "the log is named by its heading")
            #expect(Self.attribute("tabindex", of: log) == "0", "the log can be scrolled with the keyboard")
        }
    }

    @Test("the demo notice is inside the banner landmark, and no content sits outside a landmark")
    func demoNoticeInBanner() {
        let html = PageLayout(title: "Sign in", isDemo: true).render(.p("content"))
        let body = String(html[html.range(of: "<body>")!.upperBound...])
        let header = try? #require(body.components(separatedBy: "</header>").first)
        #expect(header?.contains("Demo mode.") == true)
        // Outside <header>, <main> and <footer> there is only the skip link.
        var outside = body
        for landmark in ["header", "main", "footer"] {
            guard let start = outside.range(of: "<\(landmark)"), let end = outside.range(of: "</\(landmark)>") else {
                Issue.record("no <\(landmark)>")
                return
            }
            outside.removeSubrange(start.lowerBound..<end.upperBound)
        }
        #expect(outside.replacingOccurrences(of: "</body></html>", with: "") == ##"<a class="skip-link" href="#main">Skip to content</a>"##)
    }

    @Test("insights name days as dates, not as telemetry keys")
    func insightsDays() {
        #expect(InsightsPage.plainDay("2026-11-12Z") == "2026-11-12")
        #expect(InsightsPage.shortDay("2026-11-12Z") == "11-12")
    }

    @Test("the first-run guide's steps are headings one level below the page's")
    func firstRunHeadings() {
        let html = FirstRunGuide(layout: PageLayout(title: "Dashboard"), linkedAccounts: 2, jobs: 0).render()
        #expect(html.components(separatedBy: "<h2>").count - 1 == 3)
        #expect(!html.contains("<h3"))
        #expect(html.contains("Link your Google accounts<span class=\"visually-hidden\"> (done)</span>"), "a done step says so in words")
    }
}
