import Fluent
import Foundation
import SyncboardCore
import Testing
import Vapor
import VaporTesting
@testable import SyncboardApp

/// Built-in-only rules in the app: the form marks them, an installation that only runs the CalendarSync CLI
/// refuses them by their field (form and API), `auto` runs such jobs on the built-in engine, and "Show config"
/// says what CalendarSync would not see.
@Suite("Jobs: rules only the built-in engine applies")
struct JobsBuiltinRulesTests {
    static func withApp(engine: AppConfiguration.EngineChoice, _ body: (Application, JobsTests.World) async throws -> Void) async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            app.syncboard.configuration.engine = engine
            try await body(app, try await JobsTests.world(app))
        }
    }

    static func form(_ world: JobsTests.World, extra: [String: String]) throws -> [String: String] {
        ["name": "Work → Home", "source": try world.work.requireID().uuidString, "destination": try world.home.requireID().uuidString,
         "t.KeepTitle": "on", "windowStart": "MonthStart", "windowStartOffset": "-1", "windowEnd": "MonthEnd", "windowEndOffset": "1",
         "cadence": "hourly", "timeZone": "UTC", "updateConcurrency": "1"].merging(extra) { $1 }
    }

    /// A job with two built-in-only rules (FreeEvents, SetColor) beside CalendarSync's.
    static func builtinRulesBody(_ world: JobsTests.World) throws -> String {
        """
        {"name": "Work → Home", "sourceCalendarId": "\(try world.work.requireID())", "destinationCalendarId": "\(try world.home.requireID())",
         "transformers": [{"name": "KeepTitle"}, {"name": "SetColor", "parameters": {"ColorId": 4}}],
         "filters": [{"name": "FreeEvents"}, {"name": "RegexTitle", "parameters": {"ExcludeRegexp": "^x"}}],
         "cadence": {"kind": "hourly"}}
        """
    }

    @Test("with SYNCBOARD_ENGINE=calendarsync the API answers 422 naming each built-in-only rule's field, and saves nothing")
    func apiRefusesOnCLI() async throws {
        try await Self.withApp(engine: .calendarsync) { app, world in
            let body = try Self.builtinRulesBody(world)
            let response = try await world.client.api(.POST, "/api/v1/jobs", json: body)
            #expect(response.status == .unprocessableEntity, "\(response.body.string)")
            let error = try response.content.decode(SyncboardErrorMiddleware.APIError.self)
            #expect(Set(error.fields?.map(\.field) ?? []) == ["filters.FreeEvents", "transformers.SetColor"])
            #expect(error.fields?.first?.message.contains("built-in engine") == true)
            #expect(try await SyncJob.query(on: app.db).count() == 0)
            // The same job without those rules is fine on the CLI.
            #expect(try await world.client.api(.POST, "/api/v1/jobs", json: try JobsTests.body(world)).status == .created)
        }
    }

    @Test("a real-time job needs the built-in engine: refused by its cadence on a CLI-only installation, saved under auto")
    func realtimeNeedsBuiltin() async throws {
        let realtime = { (world: JobsTests.World) throws -> String in
            try JobsTests.body(world).replacingOccurrences(of: #""cadence": {"kind": "daily", "time": "06:30"}"#, with: #""cadence": {"kind": "realtime"}"#)
        }
        try await Self.withApp(engine: .calendarsync) { app, world in
            let body = try realtime(world)
            try #require(body.contains("realtime"), "the body names the cadence: \(body)")
            let response = try await world.client.api(.POST, "/api/v1/jobs", json: body)
            #expect(response.status == .unprocessableEntity, "\(response.body.string)")
            let error = try response.content.decode(SyncboardErrorMiddleware.APIError.self)
            #expect(error.fields?.map(\.field) == ["cadence"])
            #expect(error.fields?.first?.message.contains("cannot sync incrementally") == true)
            #expect(try await SyncJob.query(on: app.db).count() == 0)
        }
        try await Self.withApp(engine: .auto) { app, world in
            let saved = try await world.client.api(.POST, "/api/v1/jobs", json: try realtime(world))
            #expect(saved.status == .created, "\(saved.body.string)")
            let job = try #require(try await SyncJob.query(on: app.db).first())
            let needsBuiltin = job.spec.needsBuiltinEngine
            #expect(needsBuiltin, "auto runs it on the built-in engine")
            // Due at once: its first run opens the push channel, rather than a check interval later.
            let due = try #require(job.nextRunAt)
            #expect(due <= Date() && due > Date().addingTimeInterval(-60), "\(due)")
        }
    }

    @Test("with auto (or builtin) the API saves such a job and returns its rules")
    func apiAcceptsOnAuto() async throws {
        for engine in [AppConfiguration.EngineChoice.auto, .builtin] {
            try await Self.withApp(engine: engine) { app, world in
                let body = try Self.builtinRulesBody(world)
                let response = try await world.client.api(.POST, "/api/v1/jobs", json: body)
                #expect(response.status == .created, "\(response.body.string)")
                let job = try response.content.decode(JobsAPIController.JobDTO.self)
                #expect(job.filters.map(\.name) == ["RegexTitle", "FreeEvents"])
                #expect(job.transformers.last?.parameters["ColorId"] == .int(4))
            }
        }
    }

    @Test("the form marks built-in-only rules; on the CLI-only installation it shows the refusal next to the field, linked and described")
    func formMessages() async throws {
        try await Self.withApp(engine: .calendarsync) { app, world in
            let page = try await world.client.get("/jobs/new").body.string
            #expect(page.contains(#"id="field-f-FreeEvents""#) && page.contains("built-in engine only"))
            #expect(page.contains(#"<select id="field-t-SetVisibility-Visibility" name="t.SetVisibility.Visibility""#))
            #expect(page.contains(#"id="field-f-EventTypes-OutOfOffice" name="f.EventTypes.OutOfOffice" value="on" checked"#),
                    "the special types start ticked")

            let response = try await world.client.post("/jobs", form: try Self.form(world, extra: ["f.FreeEvents": "on"]))
            #expect(response.status == .unprocessableEntity)
            let html = response.body.string
            #expect(html.contains(#"<p class="error" id="error-filters-FreeEvents">only Syncboard's built-in engine applies this rule"#))
            #expect(html.contains(#"aria-describedby="field-f-FreeEvents-hint error-filters-FreeEvents" aria-invalid="true""#))
            #expect(html.contains(##"<a href="#field-f-FreeEvents">FreeEvents</a>"##), "the summary links to the checkbox")
            #expect(try await SyncJob.query(on: app.db).count() == 0)
        }
        try await Self.withApp(engine: .auto) { app, world in
            let response = try await world.client.post("/jobs", form: try Self.form(world, extra: [
                "f.FreeEvents": "on", "t.SetVisibility": "on", "t.SetVisibility.Visibility": "private",
                "f.EventTypes": "on", "f.EventTypes.FocusTime": "on"]))
            #expect(response.status == .seeOther, "\(response.body.string)")
            let job = try #require(try await SyncJob.query(on: app.db).first())
            #expect(job.filters.map(\.name) == ["FreeEvents", "EventTypes"])
            #expect(job.filters.last?.parameters["FocusTime"] == .bool(true) && job.filters.last?.parameters["OutOfOffice"] == .bool(false))
            #expect(job.transformers.last?.parameters["Visibility"] == .string("private"))

            let bad = try await world.client.post("/jobs", form: try Self.form(world, extra: ["t.SetVisibility": "on", "t.SetVisibility.Visibility": "public",
                                                                                              "f.EventTypes": "on"]))
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains(#"id="error-transformers-SetVisibility-Visibility">must be one of: default, private"#))
            #expect(bad.body.string.contains(#"id="error-filters-EventTypes">choose at least one event type to skip"#))
        }
    }

    @Test("deletions that stick: off by default, set by the form's checkbox and the API's field, refused by its field on a CLI-only installation")
    func deletionsStickOption() async throws {
        try await Self.withApp(engine: .auto) { app, world in
            let page = try await world.client.get("/jobs/new").body.string
            #expect(page.contains(#"<legend>Deleted copies</legend>"#))
            #expect(page.contains(#"<input type="checkbox" id="field-deletionsStick" name="deletionsStick" value="on" aria-describedby="field-deletionsStick-hint"/>"#),
                    "unchecked by default, described by its hint")
            #expect(try await world.client.post("/jobs", form: try Self.form(world, extra: [:])).status == .seeOther)
            #expect(try await SyncJob.query(on: app.db).first()?.deletionsStick == false)
            #expect(try await world.client.post("/jobs", form: try Self.form(world, extra: ["name": "Sticky", "deletionsStick": "on"])).status == .seeOther)
            let sticky = try #require(try await SyncJob.query(on: app.db).filter(\.$name == "Sticky").first())
            #expect(sticky.deletionsStick)
            let edit = try await world.client.get("/jobs/\(try sticky.requireID())/edit").body.string
            #expect(edit.contains(#"name="deletionsStick" value="on" checked"#))
            let jobPage = try await world.client.get("/jobs/\(try sticky.requireID())").body.string
            #expect(jobPage.contains("Copies you deleted (0)") && jobPage.contains("stay deleted"))

            let api = try await world.client.api(.POST, "/api/v1/jobs", json: try JobsTests.body(world, name: "API", extra: #", "deletionsStick": true"#))
            #expect(api.status == .created, "\(api.body.string)")
            #expect(try api.content.decode(JobsAPIController.JobDTO.self).deletionsStick)
            let plain = try await world.client.api(.POST, "/api/v1/jobs", json: try JobsTests.body(world, name: "Plain"))
            #expect(try plain.content.decode(JobsAPIController.JobDTO.self).deletionsStick == false)
        }
        try await Self.withApp(engine: .calendarsync) { app, world in
            let api = try await world.client.api(.POST, "/api/v1/jobs", json: try JobsTests.body(world, extra: #", "deletionsStick": true"#))
            #expect(api.status == .unprocessableEntity)
            #expect(try api.content.decode(SyncboardErrorMiddleware.APIError.self).fields?.map(\.field) == ["deletionsStick"])
            let form = try await world.client.post("/jobs", form: try Self.form(world, extra: ["deletionsStick": "on"]))
            #expect(form.status == .unprocessableEntity)
            #expect(form.body.string.contains(#"id="error-deletionsStick">only Syncboard's built-in engine"#))
            #expect(form.body.string.contains(#"aria-describedby="field-deletionsStick-hint error-deletionsStick" aria-invalid="true""#))
            #expect(try await SyncJob.query(on: app.db).count() == 0)
        }
    }

    @Test("Show config leaves built-in-only rules out of sync.yaml and names them in a comment")
    func showConfig() async throws {
        try await Self.withApp(engine: .auto) { app, world in
            let body = try Self.builtinRulesBody(world)
            let job = try await world.client.api(.POST, "/api/v1/jobs", json: body).content.decode(JobsAPIController.JobDTO.self)
            let yaml = try await world.client.get("/jobs/\(job.id)/config?download=1").body.string
            #expect(yaml.contains("# Not in this file, as CalendarSync would not see them"))
            #expect(yaml.contains("SetColor (Colour of copies), FreeEvents (Skip free events)"))
            #expect(yaml.contains("name: RegexTitle") && yaml.contains("name: KeepTitle"))
            #expect(!yaml.contains("name: FreeEvents") && !yaml.contains("name: SetColor"))
        }
    }

    @Test("auto with a CalendarSync binary runs a job with built-in-only rules on the built-in engine and others on the CLI; calendarsync refuses it")
    func engineChoice() async throws {
        try await Self.withApp(engine: .auto) { app, world in
            let cli = FakeExecutor(outcome: { _ in .succeeded(engine: .calendarsync) })
            let builtin = FakeExecutor(outcome: { _ in .succeeded(engine: .builtin) })
            let plain = SyncJob(userID: try world.user.requireID(), spec: SyncJobSpec(
                name: "plain", sourceCalendarID: try world.work.requireID(), destinationCalendarID: try world.home.requireID(),
                transformers: [.init(name: "KeepTitle")]))
            let calendarAware = SyncJob(userID: try world.user.requireID(), spec: SyncJobSpec(
                name: "aware", sourceCalendarID: try world.work.requireID(), destinationCalendarID: try world.home.requireID(),
                filters: [.init(name: "InvitedDestination")]))
            try await plain.create(on: app.db)
            try await calendarAware.create(on: app.db)

            func run(_ job: SyncJob, _ executor: RoutingRunExecutor) async throws -> (RunOutcome, [String]) {
                let row = JobRun(jobID: try job.requireID(), trigger: .manual, mode: .sync, status: .running, scheduledFor: nil, queuedAt: Date())
                try await row.create(on: app.db)
                let log = RunLogWriter(runID: try row.requireID(), db: app.db)
                let outcome = await executor.execute(RunContext(runID: try row.requireID(), jobID: try job.requireID(), mode: .sync, trigger: .manual,
                                                                attempt: 1, timeout: 60), log: log)
                _ = await log.finish()
                row.status = outcome.status
                try await row.save(on: app.db)
                let lines = try await RunLogLine.query(on: app.db).filter(\.$run.$id == row.requireID()).all().map(\.text)
                return (outcome, lines)
            }
            let auto = RoutingRunExecutor(db: app.db, cli: cli, builtin: builtin)
            #expect(try await run(plain, auto).0.engine == .calendarsync)
            let (aware, lines) = try await run(calendarAware, auto)
            #expect(aware.engine == .builtin && cli.callCount == 1 && builtin.callCount == 1)
            #expect(lines.contains { $0.contains("runs on the built-in engine") })

            let cliOnly = RoutingRunExecutor(db: app.db, cli: cli, builtin: nil)
            let (refused, refusal) = try await run(calendarAware, cliOnly)
            #expect(refused.status == .failed && refused.failureClass == .configuration && cli.callCount == 1)
            #expect(refused.errorSummary?.contains("filters.InvitedDestination") == true && refusal.contains { $0.contains("SYNCBOARD_ENGINE=calendarsync") })

            // The CLI gets Google calendars only: a plain job into a Microsoft 365 calendar runs on the built-in
            // engine under auto, and is refused on a CLI-only installation, naming the provider.
            world.home.provider = .microsoft
            try await world.home.save(on: app.db)
            let (toMicrosoft, routed) = try await run(plain, auto)
            #expect(toMicrosoft.engine == .builtin && cli.callCount == 1 && builtin.callCount == 2)
            #expect(routed.contains { $0.contains("Microsoft 365 calendar: it runs on the built-in engine") })
            let (refusedMicrosoft, _) = try await run(plain, cliOnly)
            #expect(refusedMicrosoft.status == .failed && refusedMicrosoft.failureClass == .configuration && cli.callCount == 1)
            #expect(refusedMicrosoft.errorSummary?.contains("Microsoft 365 calendar") == true)
            world.home.provider = .google
            try await world.home.save(on: app.db)

            // What the installation builds from SYNCBOARD_ENGINE: with a binary, auto and calendarsync route per job.
            var configuration = app.syncboard.configuration
            configuration.calendarSyncBinary = CalendarSyncRunExecutorTests.standin
            for engine in [AppConfiguration.EngineChoice.auto, .calendarsync] {
                configuration.engine = engine
                let selected = EngineSelection.executor(for: configuration, db: app.db, vault: app.syncboard.vault, google: app.syncboard.google)
                let routing = try #require(selected as? RoutingRunExecutor)
                #expect(routing.cli is CalendarSyncRunExecutor)
                #expect(engine == .auto ? routing.builtin is BuiltinRunExecutor : routing.builtin == nil)
            }
        }
    }
}
