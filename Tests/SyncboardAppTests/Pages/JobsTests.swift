import Fluent
import Foundation
import SyncboardCore
import Testing
import VaporTesting
@testable import SyncboardApp

@Suite("Jobs: form, API, validation, OpenAPI")
struct JobsTests {
    struct World {
        let user: User
        let work: LinkedCalendar
        let home: LinkedCalendar
        let readOnly: LinkedCalendar
        let client: SignedInClient
    }

    static func world(_ app: Application) async throws -> World {
        let user = try await Fixtures.user(app.db)
        let a = try await Fixtures.account(app.db, user: user, email: "me@work.example")
        let b = try await Fixtures.account(app.db, user: user, email: "me@home.example")
        let work = try await Fixtures.calendar(app.db, account: a, googleID: "me@work.example")
        let home = try await Fixtures.calendar(app.db, account: b, googleID: "me@home.example")
        let readOnly = try await Fixtures.calendar(app.db, account: b, googleID: "holidays@group.v.calendar.google.com", role: "reader")
        return World(user: user, work: work, home: home, readOnly: readOnly, client: try await SignedInClient.signIn(user, on: app))
    }

    static func body(_ world: World, name: String = "Work → Home", destination: LinkedCalendar? = nil, extra: String = "") throws -> String {
        """
        {"name": "\(name)", "sourceCalendarId": "\(try world.work.requireID())", "destinationCalendarId": "\(try (destination ?? world.home).requireID())",
         "transformers": [{"name": "KeepTitle"}, {"name": "PrefixTitle", "parameters": {"Prefix": "[Work] "}}],
         "filters": [{"name": "TimeFrame", "parameters": {"HourStart": 7, "HourEnd": 18}}],
         "cadence": {"kind": "daily", "time": "06:30"}\(extra)}
        """
    }

    @Test("the API creates a valid job, scheduled in the source calendar's time zone", arguments: TestDatabase.all)
    func apiCreate(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let world = try await Self.world(app)
            let response = try await world.client.api(.POST, "/api/v1/jobs", json: try Self.body(world))
            #expect(response.status == .created, "\(response.body.string)")
            let job = try response.content.decode(JobsAPIController.JobDTO.self)
            #expect(job.timeZone == "Europe/Berlin")
            #expect(job.transformers.map(\.name) == ["KeepTitle", "PrefixTitle"])
            #expect(job.filters.first?.parameters["HourEnd"] == .int(18))
            #expect(job.cadenceDescription == "Daily at 06:30")
            let next = try #require(job.nextRunAt)
            #expect(next > Date() && next < Date().addingTimeInterval(86_400 + 3600))
            #expect(try await world.client.api(.GET, "/api/v1/jobs/\(job.id)").status == .ok)
            #expect(try await world.client.api(.GET, "/api/v1/jobs").content.decode(ListPage<JobsAPIController.JobDTO>.self).items.count == 1)
        }
    }

    @Test("the job list pages by name with a cursor: every job once, in order, even when a page's last job is deleted before the next page", arguments: TestDatabase.all)
    func apiListPages(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let world = try await Self.world(app)
            for name in ["Same", "b", "Same", "A", "Zeta", "Same", "Émile"] {
                try await Fixtures.job(app.db, user: world.user, source: world.work, destination: world.home, name: name, nextRunAt: nil)
            }
            // Another user's jobs are never listed.
            let other = try await Fixtures.user(app.db, email: "someone.else@example.com")
            let otherAccount = try await Fixtures.account(app.db, user: other)
            let otherCalendar = try await Fixtures.calendar(app.db, account: otherAccount)
            try await Fixtures.job(app.db, user: other, source: otherCalendar, destination: try await Fixtures.calendar(app.db, account: otherAccount), name: "B", nextRunAt: nil)
            let expected = try await SyncJob.query(on: app.db).filter(\.$user.$id == world.user.requireID()).sort(\.$name).sort(\.$id).all().map { try $0.requireID() }

            var seen: [UUID] = []
            var cursor: String?
            var pages = 0
            repeat {
                let query = cursor.map { "&cursor=\($0)" } ?? ""
                let response = try await world.client.api(.GET, "/api/v1/jobs?limit=2\(query)")
                #expect(response.status == .ok)
                let page = try response.content.decode(ListPage<JobsAPIController.JobDTO>.self)
                #expect(page.items.count <= 2)
                seen += page.items.map(\.id)
                cursor = page.nextCursor
                pages += 1
                if pages == 2, let last = page.items.last {
                    // Deleting the job the cursor ends at does not lose or repeat the ones after it.
                    try await SyncJob.find(last.id, on: app.db)?.delete(on: app.db)
                }
            } while cursor != nil && pages < 10
            #expect(pages == 4)
            #expect(seen == expected)

            for bad in ["limit=0", "limit=501", "limit=two", "cursor=not-a-cursor"] {
                let response = try await world.client.api(.GET, "/api/v1/jobs?\(bad)")
                #expect(response.status == .badRequest, "\(bad)")
                let error = try response.content.decode(SyncboardErrorMiddleware.APIError.self)
                #expect(error.message.contains(bad.hasPrefix("limit") ? "limit" : "cursor"), "\(bad): \(error.message)")
            }
        }
    }

    @Test("bad input answers 422 with every field named, and saves nothing")
    func apiValidation() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let world = try await Self.world(app)
            let bad = """
            {"name": " ", "sourceCalendarId": "\(try world.work.requireID())", "destinationCalendarId": "\(try world.readOnly.requireID())",
             "filters": [{"name": "TimeFrame", "parameters": {"HourStart": 25}}, {"name": "RegexTitle", "parameters": {"ExcludeRegexp": "(?=x)"}},
                         {"name": "Sparkles"}],
             "cadence": {"kind": "cron", "expression": "0 0 30 2 *"}, "updateConcurrency": 0}
            """
            let response = try await world.client.api(.POST, "/api/v1/jobs", json: bad)
            #expect(response.status == .unprocessableEntity)
            let error = try response.content.decode(SyncboardErrorMiddleware.APIError.self)
            #expect(error.error == "validation_failed")
            #expect(Set(error.fields?.map(\.field) ?? []) == ["name", "destinationCalendarId", "filters.TimeFrame.HourStart", "filters.RegexTitle.ExcludeRegexp",
                                                               "filters.Sparkles", "cadence.expression", "updateConcurrency"])
            #expect(try await SyncJob.query(on: app.db).count() == 0)

            let malformed = try await world.client.api(.POST, "/api/v1/jobs", json: #"{"name": "x"}"#)
            #expect(malformed.status == .badRequest)
            #expect(try malformed.content.decode(SyncboardErrorMiddleware.APIError.self).message.contains("cadence"))
            let sameCalendar = try await world.client.api(.POST, "/api/v1/jobs", json: try Self.body(world, destination: world.work))
            #expect(try sameCalendar.content.decode(SyncboardErrorMiddleware.APIError.self).fields?.map(\.field) == ["destinationCalendarId"])
        }
    }

    @Test("a reverse-direction job is saved with a warning; run now is refused while a run is active")
    func warningAndRunNow() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let world = try await Self.world(app)
            _ = try await world.client.api(.POST, "/api/v1/jobs", json: try Self.body(world))
            let reverse = """
            {"name": "Home → Work", "sourceCalendarId": "\(try world.home.requireID())", "destinationCalendarId": "\(try world.work.requireID())",
             "cadence": {"kind": "hourly"}}
            """
            let response = try await world.client.api(.POST, "/api/v1/jobs", json: reverse)
            #expect(response.status == .created)
            let job = try response.content.decode(JobsAPIController.JobDTO.self)
            #expect(job.warning?.contains("Work → Home") == true)
            #expect(try await world.client.api(.POST, "/api/v1/jobs/\(job.id)/runs", json: #"{"mode": "dry_run"}"#).status == .accepted)
            let again = try await world.client.api(.POST, "/api/v1/jobs/\(job.id)/runs")
            #expect(again.status == .conflict)
            #expect(try again.content.decode(SyncboardErrorMiddleware.APIError.self).message.contains("already running or queued"))
            let paused = try await world.client.api(.POST, "/api/v1/jobs/\(job.id)/pause").content.decode(JobsAPIController.JobDTO.self)
            #expect(!paused.enabled && paused.nextRunAt == nil)
            let resumed = try await world.client.api(.POST, "/api/v1/jobs/\(job.id)/resume").content.decode(JobsAPIController.JobDTO.self)
            #expect(resumed.enabled && resumed.nextRunAt != nil)
            #expect(try await world.client.api(.DELETE, "/api/v1/jobs/\(job.id)").status == .noContent)
        }
    }

    @Test("another user's job answers 404 everywhere, and their calendars cannot be used", arguments: TestDatabase.all)
    func crossUser(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let owner = try await Self.world(app)
            let created = try await owner.client.api(.POST, "/api/v1/jobs", json: try Self.body(owner)).content.decode(JobsAPIController.JobDTO.self)
            let intruder = try await SignedInClient.signIn(try await Fixtures.user(app.db, email: "intruder@example.com"), on: app)
            for (method, path) in [(HTTPMethod.GET, "/api/v1/jobs/\(created.id)"), (.PUT, "/api/v1/jobs/\(created.id)"), (.DELETE, "/api/v1/jobs/\(created.id)"),
                                   (.POST, "/api/v1/jobs/\(created.id)/pause"), (.POST, "/api/v1/jobs/\(created.id)/resume"),
                                   (.POST, "/api/v1/jobs/\(created.id)/runs"), (.GET, "/api/v1/jobs/\(created.id)/runs")] {
                let response = try await intruder.api(method, path, json: method == .PUT ? try Self.body(owner) : nil)
                #expect(response.status == .notFound, "\(method) \(path)")
            }
            for path in ["/jobs/\(created.id)", "/jobs/\(created.id)/edit", "/jobs/\(created.id)/config", "/jobs/\(created.id)/delete"] {
                #expect(try await intruder.get(path).status == .notFound, "GET \(path)")
            }
            for path in ["/jobs/\(created.id)", "/jobs/\(created.id)/delete", "/jobs/\(created.id)/duplicate"] {
                #expect(try await intruder.post(path, form: ["name": "stolen"]).status == .notFound, "POST \(path)")
            }
            // The owner's calendars are unknown to the intruder.
            let stolen = try await intruder.api(.POST, "/api/v1/jobs", json: try Self.body(owner))
            #expect(try stolen.content.decode(SyncboardErrorMiddleware.APIError.self).fields?.map(\.field) == ["sourceCalendarId", "destinationCalendarId"])
            #expect(try await SyncJob.query(on: app.db).count() == 1)
        }
    }

    @Test("the HTML form shows errors next to their fields, keeps what was typed, and saves nothing")
    func formErrors() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let world = try await Self.world(app)
            let page = try await world.client.get("/jobs/new")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("me@home.example"))
            #expect(page.body.string.contains("Hours are in UTC"))
            let response = try await world.client.post("/jobs", form: [
                "name": "<script>alert(1)</script>", "source": try world.work.requireID().uuidString, "destination": try world.work.requireID().uuidString,
                "f.TimeFrame": "on", "f.TimeFrame.HourStart": "9", "f.TimeFrame.HourEnd": "eight",
                "cadence": "cron", "cronExpression": "61 * * * *", "windowStart": "MonthStart", "windowStartOffset": "-1",
                "windowEnd": "MonthEnd", "windowEndOffset": "1", "updateConcurrency": "1",
            ])
            #expect(response.status == .unprocessableEntity)
            let html = response.body.string
            #expect(html.contains("enter a whole number"))
            #expect(!html.contains("<script>alert(1)</script>"), "what was typed is escaped")
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(try await SyncJob.query(on: app.db).count() == 0)

            let fixed = try await world.client.post("/jobs", form: [
                "name": "Work to home", "source": try world.work.requireID().uuidString, "destination": try world.home.requireID().uuidString,
                "t.KeepTitle": "on", "f.TimeFrame": "on", "f.TimeFrame.HourStart": "0", "f.TimeFrame.HourEnd": "23",
                "cadence": "every15Minutes", "windowStart": "MonthStart", "windowStartOffset": "0", "windowEnd": "MonthEnd",
                "windowEndOffset": "0", "updateConcurrency": "2",
            ])
            #expect(fixed.status == .seeOther, "\(fixed.body.string.prefix(500))")
            let job = try #require(try await SyncJob.query(on: app.db).first())
            #expect(job.cadence == .every15Minutes && job.updateConcurrency == 2 && job.transformers.map(\.name) == ["KeepTitle"])
            let jobPage = try await world.client.get("/jobs/\(try job.requireID())")
            #expect(jobPage.status == .ok && jobPage.body.string.contains("Every 15 minutes"))
            let config = try await world.client.get("/jobs/\(try job.requireID())/config")
            #expect(config.body.string.contains("storage_mode: yaml"))
            #expect(config.body.string.contains("REDACTED"))
        }
    }

    @Test("preview shows the next five runs without saving")
    func preview() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let world = try await Self.world(app)
            let response = try await world.client.post("/jobs", form: [
                "preview": "1", "name": "x", "source": try world.work.requireID().uuidString, "cadence": "daily", "dailyTime": "07:15",
                "timeZone": "America/New_York", "windowStartOffset": "-1", "windowEndOffset": "1",
            ])
            #expect(response.status == .ok)
            let html = response.body.string
            #expect(html.contains("Next five runs (America/New_York)"))
            let preview = try #require(html.range(of: "id=\"schedule-preview\"").map { String(html[$0.upperBound...].prefix(while: { _ in true })) })
            let list = try #require(preview.components(separatedBy: "</ol>").first)
            #expect(list.components(separatedBy: "<li>").count - 1 == 5)
            #expect(list.components(separatedBy: "7:15").count - 1 == 5)
            #expect(try await SyncJob.query(on: app.db).count() == 0)
        }
    }

    @Test("the OpenAPI document describes exactly the API's routes")
    func openAPIMatchesRoutes() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let response = try await app.testing().sendRequest(.GET, "/api/v1/openapi.json")
            #expect(response.status == .ok)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(response.body.string.utf8)) as? [String: Any])
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            var documented = Set<String>()
            for (path, operations) in paths {
                for method in operations.keys { documented.insert("\(method.uppercased()) /api/v1\(path)") }
            }
            var served = Set<String>()
            for route in app.routes.all {
                let path = "/" + route.path.map { component -> String in
                    if case .parameter(let name) = component { return "{\(name)}" }
                    return component.description
                }.joined(separator: "/")
                guard path.hasPrefix("/api/v1/"), path != "/api/v1/openapi.json" else { continue }
                served.insert("\(route.method.rawValue) \(path)")
            }
            #expect(served == documented, "served but undocumented: \(served.subtracting(documented)); documented but not served: \(documented.subtracting(served))")
        }
    }

    @Test("the catalogue is served as the form uses it")
    func catalog() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let world = try await Self.world(app)
            let catalog = try await world.client.api(.GET, "/api/v1/catalog").content.decode(SyncCatalog.self)
            #expect(catalog.transformers.count == 11 && catalog.filters.count == 8)
            #expect(catalog.filters.first { $0.name == "FreeEvents" }?.builtinOnly == true)
            #expect(catalog.transformers.first { $0.name == "SetVisibility" }?.parameters.first?.choices == ["default", "private"])
        }
    }
}
