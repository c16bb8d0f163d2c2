import Fluent
import Foundation
import SyncboardCore
import Testing
import Vapor
import VaporTesting
@testable import SyncboardApp

/// Jobs beyond one-to-one in the web pages: the form's kind of job, a copy's further destinations and a group's
/// calendars (repeated checkbox fields), its errors and pre-filling; the job page, the dashboard and the run page
/// with each calendar and each direction's result.
@Suite("Jobs of several calendars: form, job page, dashboard, run page")
struct JobsSeveralCalendarsPageTests {
    /// `JobsTests.World` (Work on one account, Home and a read-only calendar on the other) with two more writable
    /// calendars, every one named plainly.
    struct World {
        let base: JobsTests.World
        let team: LinkedCalendar
        let family: LinkedCalendar
        var client: SignedInClient { base.client }
        var work: LinkedCalendar { base.work }
        var home: LinkedCalendar { base.home }
        var readOnly: LinkedCalendar { base.readOnly }
    }

    static func withWorld(on database: TestDatabase = .sqlite, _ body: (Application, World) async throws -> Void) async throws {
        try await TestApp.withApp(on: database) { app in
            app.syncboard.configuration.engine = .auto
            let base = try await JobsTests.world(app)
            let workAccount = try await base.work.$account.get(on: app.db)
            let homeAccount = try await base.home.$account.get(on: app.db)
            let team = try await Fixtures.calendar(app.db, account: workAccount, googleID: "team@group.calendar.google.com")
            let family = try await Fixtures.calendar(app.db, account: homeAccount, googleID: "family@group.calendar.google.com")
            for (calendar, name) in [(base.work, "Work"), (base.home, "Home"), (team, "Team"), (family, "Family"), (base.readOnly, "Holidays")] {
                calendar.summary = name
                try await calendar.save(on: app.db)
            }
            try await body(app, World(base: base, team: team, family: family))
        }
    }

    /// The fields every job needs besides its calendars, as the form sends them.
    static let common: [(String, String)] = [
        ("t.KeepTitle", "on"), ("windowStart", "MonthStart"), ("windowStartOffset", "-1"), ("windowEnd", "MonthEnd"),
        ("windowEndOffset", "1"), ("cadence", "hourly"), ("timeZone", "UTC"), ("updateConcurrency", "1"),
    ]

    static func groupForm(_ name: String, members: [LinkedCalendar]) -> [(String, String)] {
        // The copy's selects are sent too, empty, as a browser sends the fields of the kind not chosen.
        [("name", name), ("kind", "group"), ("source", ""), ("destination", "")] + members.map { ("members", $0.id!.uuidString) } + common
    }

    @Test("the form creates a group of three and a copy job with two more destinations; each kind's fields only count for it",
          arguments: TestDatabase.all)
    func createBoth(database: TestDatabase) async throws {
        try await Self.withWorld(on: database) { app, world in
            let group = try await world.client.post("/jobs", fields: Self.groupForm("Busy everywhere", members: [world.work, world.home, world.team])
                + [("moreDestinations", world.family.id!.uuidString)])
            #expect(group.status == .seeOther, "\(group.body.string)")
            let savedGroup = try #require(try await SyncJob.query(on: app.db).filter(\.$name == "Busy everywhere").first())
            #expect(savedGroup.kind == .group)
            #expect(savedGroup.spec.memberCalendarIDs == [world.work.id!, world.home.id!, world.team.id!])
            #expect(savedGroup.spec.legs.count == 6)

            let copy = try await world.client.post("/jobs", fields: [
                ("name", "Work → three"), ("kind", "copy"), ("source", world.work.id!.uuidString),
                ("destination", world.home.id!.uuidString),
                ("moreDestinations", world.team.id!.uuidString), ("moreDestinations", world.family.id!.uuidString),
                ("members", world.home.id!.uuidString),
            ] + Self.common)
            #expect(copy.status == .seeOther, "\(copy.body.string)")
            let savedCopy = try #require(try await SyncJob.query(on: app.db).filter(\.$name == "Work → three").first())
            #expect(savedCopy.kind == .copy)
            #expect(savedCopy.$sourceCalendar.id == (world.work.id!))
            #expect(savedCopy.spec.destinationCalendarIDs == [world.home.id!, world.team.id!, world.family.id!])
        }
    }

    @Test("a group of one calendar is refused: the error is next to the group's calendars, the box stays ticked, nothing is saved")
    func groupOfOneRefused() async throws {
        try await Self.withWorld { app, world in
            let work = world.work.id!.uuidString
            let response = try await world.client.post("/jobs", fields: Self.groupForm("Alone", members: [world.work]))
            #expect(response.status == .unprocessableEntity)
            let html = response.body.string
            #expect(html.contains(#"<p class="error" id="error-members">choose at least two calendars for the group</p>"#))
            #expect(html.contains(##"<a href="#field-members">Calendars in the group</a>: choose at least two calendars for the group"##))
            let first = try #require(AccessibleMarkupTests.element(withID: "field-members", in: html), "the summary's link leads to the first box")
            #expect(first.contains(#"name="members""#) && AccessibleMarkupTests.attribute("aria-invalid", of: first) == "true")
            #expect(AccessibleMarkupTests.attribute("aria-describedby", of: first) == "error-members")
            #expect(html.contains(#"name="members" value="\#(work)" checked"#), "the ticked box stays ticked")
            #expect(html.contains(#"id="field-kind-group" name="kind" value="group" checked"#), "the chosen kind stays chosen")
            #expect(!html.contains(#"name="members" value="\#(world.readOnly.id!.uuidString)""#),
                    "a calendar Syncboard can only read is not offered")
            #expect(try await SyncJob.query(on: app.db).count() == 0)

            // A copy job refused for its name keeps its further destinations ticked.
            let copy = try await world.client.post("/jobs", fields: [
                ("name", ""), ("kind", "copy"), ("source", work), ("destination", world.home.id!.uuidString),
                ("moreDestinations", world.family.id!.uuidString),
            ] + Self.common)
            #expect(copy.status == .unprocessableEntity)
            #expect(copy.body.string.contains(#"name="moreDestinations" value="\#(world.family.id!.uuidString)" checked"#))
            #expect(!copy.body.string.contains(#"name="moreDestinations" value="\#(world.team.id!.uuidString)" checked"#))
            #expect(try await SyncJob.query(on: app.db).count() == 0)
        }
    }

    @Test("a further destination that is already the job's destination is refused next to “More destinations”")
    func repeatedDestinationRefused() async throws {
        try await Self.withWorld { app, world in
            let home = world.home.id!.uuidString
            let response = try await world.client.post("/jobs", fields: [
                ("name", "Twice"), ("kind", "copy"), ("source", world.work.id!.uuidString), ("destination", home), ("moreDestinations", home),
            ] + Self.common)
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains(#"<p class="error" id="error-moreDestinations">“Home” is already the source or a destination</p>"#))
            #expect(try await SyncJob.query(on: app.db).count() == 0)
        }
    }

    @Test("an installation that runs only the CalendarSync CLI refuses a group next to its kind, and further destinations next to them")
    func refusedOnCLI() async throws {
        try await Self.withWorld { app, world in
            app.syncboard.configuration.engine = .calendarsync
            let group = try await world.client.post("/jobs", fields: Self.groupForm("Group", members: [world.work, world.home]))
            #expect(group.status == .unprocessableEntity)
            let html = group.body.string
            #expect(Self.text(of: #"p class="error" id="error-kind""#, in: html)?.contains("built-in engine") == true, "the refusal is next to the kind")
            #expect(html.contains(##"<a href="#field-kind-group">What the job does</a>"##))
            let radio = try #require(AccessibleMarkupTests.element(withID: "field-kind-group", in: html))
            #expect(AccessibleMarkupTests.attribute("aria-invalid", of: radio) == "true" && AccessibleMarkupTests.attribute("aria-describedby", of: radio) == "error-kind")

            let copy = try await world.client.post("/jobs", fields: [
                ("name", "Copy"), ("kind", "copy"), ("source", world.work.id!.uuidString), ("destination", world.home.id!.uuidString),
                ("moreDestinations", world.team.id!.uuidString),
            ] + Self.common)
            #expect(copy.status == .unprocessableEntity)
            #expect(Self.text(of: #"p class="error" id="error-moreDestinations""#, in: copy.body.string)?.contains("built-in engine") == true)
            #expect(try await SyncJob.query(on: app.db).count() == 0)
        }
    }

    @Test("the form offers both kinds, says they run on the built-in engine, and editing pre-fills each kind's calendars")
    func formAndEditing() async throws {
        try await Self.withWorld { app, world in
            let new = try await world.client.get("/jobs/new").body.string
            #expect(new.contains(#"id="field-kind-copy" name="kind" value="copy" checked"#), "a new job is a copy by default")
            #expect(new.contains("Copy one calendar into others") && new.contains("Sync group — each calendar's events become busy blocks in all the others"))
            #expect(new.contains(#"<legend>More destinations (optional) <span class="badge badge-new">built-in engine only</span></legend>"#))
            #expect(new.contains(#"data-kind="group""#) && new.contains(#"data-kind="copy""#), "the script finds each kind's fields")

            let userID = try world.base.user.requireID()
            let service = JobService(db: app.db, userID: userID)
            let group = try await service.create(.group(name: "Group", members: [world.team, world.work, world.home].map { $0.id! })).job
            let edit = try await world.client.get("/jobs/\(try group.requireID())/edit").body.string
            #expect(edit.contains(#"id="field-kind-group" name="kind" value="group" checked"#))
            for member in [world.team, world.work, world.home] {
                #expect(edit.contains(#"name="members" value="\#(member.id!.uuidString)" checked"#))
            }
            #expect(!edit.contains(#"name="members" value="\#(world.family.id!.uuidString)" checked"#))

            let copy = try await service.create(SyncJobSpec(name: "Copy", sourceCalendarID: world.work.id!, destinationCalendarID: world.home.id!,
                                                            moreCalendarIDs: [world.family.id!])).job
            let editCopy = try await world.client.get("/jobs/\(try copy.requireID())/edit").body.string
            #expect(editCopy.contains(#"id="field-kind-copy" name="kind" value="copy" checked"#))
            #expect(editCopy.contains(#"<option value="\#(world.home.id!.uuidString)" selected>"#))
            #expect(editCopy.contains(#"name="moreDestinations" value="\#(world.family.id!.uuidString)" checked"#))
            #expect(!editCopy.contains(#"name="moreDestinations" value="\#(world.team.id!.uuidString)" checked"#))

            // Saving the pre-filled group unchanged keeps it as it was.
            var fields = Self.groupForm("Group", members: [world.team, world.work, world.home])
            fields.append(("version", group.version))
            #expect(try await world.client.post("/jobs/\(try group.requireID())", fields: fields).status == .seeOther)
            let saved = try #require(try await SyncJob.find(group.requireID(), on: app.db))
            #expect(saved.kind == .group && Set(saved.spec.memberCalendarIDs) == Set([world.team, world.work, world.home].map { $0.id! }))
        }
    }

    @Test("the job page names the kind and every calendar, and lists each direction's last full reconciliation")
    func jobPage() async throws {
        try await Self.withWorld { app, world in
            let userID = try world.base.user.requireID()
            let service = JobService(db: app.db, userID: userID)
            let group = try await service.create(.group(name: "Group", members: [world.work, world.home, world.team].map { $0.id! })).job
            let state = SyncState()
            state.$job.id = try group.requireID()
            state.sourceCalendarID = world.work.id!
            state.destinationCalendarID = world.team.id!
            state.syncToken = "token"
            state.windowStart = Date().addingTimeInterval(-86_400 * 30)
            state.windowEnd = Date().addingTimeInterval(86_400 * 30)
            state.definitionFingerprint = "fingerprint"
            state.lastFullAt = Date().addingTimeInterval(-3600)
            state.lastFullReason = "first"
            state.lastRunAt = Date().addingTimeInterval(-3600)
            try await state.create(on: app.db)

            let page = try await world.client.get("/jobs/\(try group.requireID())").body.string
            #expect(page.contains("Sync group: each calendar's events become busy blocks in all the others (6 directions)"))
            #expect(page.contains("<dt>Calendars in the group</dt>"))
            for name in ["Work", "Home", "Team"] { #expect(page.contains("<strong>\(name)</strong>")) }
            let directions = try #require(page.components(separatedBy: #"id="directions-reconciled""#).dropFirst().first?.components(separatedBy: "</ul>").first)
            #expect(directions.components(separatedBy: "<li>").count - 1 == 6, "one line per direction: \(directions)")
            #expect(directions.components(separatedBy: "not synced yet").count - 1 == 5, "five directions have not synced yet")
            #expect(directions.contains(#"Work<span class="arrow" aria-hidden="true"> → </span><span class="visually-hidden"> to </span>Team: <time"#))

            // A copy deleted in one of the group's calendars is listed with that calendar.
            try await SyncTombstone(jobID: try group.requireID(), leg: .init(source: world.work.id!, destination: world.team.id!), sourceEventID: "e1",
                                    title: "Planning", startsAt: Date().addingTimeInterval(86_400), deletedSeenAt: Date()).create(on: app.db)
            let withDeleted = try await world.client.get("/jobs/\(try group.requireID())").body.string
            #expect(withDeleted.contains("<th>Deleted from</th>") && withDeleted.contains("<tr><td>Planning</td><td>Team</td>"))

            let copy = try await service.create(SyncJobSpec(name: "Copy", sourceCalendarID: world.work.id!, destinationCalendarID: world.home.id!,
                                                            moreCalendarIDs: [world.family.id!])).job
            let copyPage = try await world.client.get("/jobs/\(try copy.requireID())").body.string
            #expect(copyPage.contains("Copy one calendar into 2 others"))
            let copiesTo = try #require(copyPage.components(separatedBy: "<dt>Copies to</dt>").dropFirst().first?.components(separatedBy: "</dd>").first)
            #expect(copiesTo.contains("<strong>Home</strong>") && copiesTo.contains("<strong>Family</strong>"))
        }
    }

    @Test("the dashboard names every calendar of a job and each destination's result of its last run; the run page lists each direction",
          arguments: TestDatabase.all)
    func dashboardAndRunPage(database: TestDatabase) async throws {
        try await Self.withWorld(on: database) { app, world in
            let userID = try world.base.user.requireID()
            let service = JobService(db: app.db, userID: userID)
            let group = try await service.create(.group(name: "A group", members: [world.work, world.home, world.team].map { $0.id! })).job
            let copy = try await service.create(SyncJobSpec(name: "B copy", sourceCalendarID: world.work.id!, destinationCalendarID: world.home.id!,
                                                            moreCalendarIDs: [world.team.id!])).job
            let names = [world.work.id!: "Work", world.home.id!: "Home", world.team.id!: "Team"]
            func legs(of job: SyncJob, failing: SyncJobSpec.Leg?) -> [RunLeg] {
                job.spec.legs.map { leg in
                    let failed = leg == failing
                    return RunLeg(sourceCalendarID: leg.source, destinationCalendarID: leg.destination, source: names[leg.source]!, destination: names[leg.destination]!,
                                  status: failed ? .failed : .succeeded, created: failed ? 0 : 2, updated: 1, deleted: 0,
                                  error: failed ? "Google refused to write into Team" : nil, syncKind: .full)
                }
            }
            func run(_ job: SyncJob, _ legs: [RunLeg]) async throws -> JobRun {
                let run = JobRun(jobID: try job.requireID(), trigger: .manual, mode: .sync, status: legs.allSatisfy { $0.status == .succeeded } ? .succeeded : .failed,
                                 scheduledFor: nil, queuedAt: Date())
                run.finishedAt = Date()
                run.createdCount = legs.map(\.created).reduce(0, +)
                run.failureClass = legs.allSatisfy { $0.status == .succeeded } ? nil : .writeRefused
                run.storedLegs = .init(legs: legs)
                try await run.create(on: app.db)
                return run
            }
            let workToTeam = SyncJobSpec.Leg(source: world.work.id!, destination: world.team.id!)
            let groupRun = try await run(group, legs(of: group, failing: workToTeam))
            _ = try await run(copy, legs(of: copy, failing: nil))

            let dashboard = try await world.client.get("/").body.string
            let groupCard = try #require(Self.card(of: group, in: dashboard))
            #expect(Self.text(of: "p class=\"route\"", in: groupCard) == "Group: Work · me@work.example ⇄ , Home · me@home.example ⇄ , Team · me@work.example",
                    "\(groupCard)")
            let groupResults = try #require(groupCard.components(separatedBy: #"<ul class="leg-results">"#).dropFirst().first?.components(separatedBy: "</ul>").first)
            #expect(groupResults.contains(#"<li class="leg-ok"><span aria-hidden="true">✓ </span>Home<span class="visually-hidden">: succeeded</span></li>"#))
            #expect(groupResults.contains(#"<li class="leg-bad"><span aria-hidden="true">✗ </span>Team — failed from Work</li>"#), "\(groupResults)")
            #expect(groupResults.components(separatedBy: "<li").count - 1 == 3, "one result per destination calendar")

            let copyCard = try #require(Self.card(of: copy, in: dashboard))
            #expect(Self.text(of: "p class=\"route\"", in: copyCard) == "Work · me@work.example → to Home · me@home.example, and Team · me@work.example",
                    "\(copyCard)")
            #expect(copyCard.contains("<dt>By destination</dt>") && copyCard.components(separatedBy: #"<li class="leg-ok">"#).count - 1 == 2)

            let runPage = try await world.client.get("/runs/\(try groupRun.requireID())").body.string
            #expect(runPage.contains("Directions (5 of 6 succeeded)"))
            let table = try #require(runPage.components(separatedBy: #"<table id="run-directions">"#).dropFirst().first?.components(separatedBy: "</table>").first)
            #expect(table.components(separatedBy: "<tr>").count - 1 == 7, "a header and one row per direction")
            #expect(table.contains(#"<tr><td>Work</td><td>Team</td><td><span class="badge badge-failed">failed</span></td><td>0</td><td>1</td><td>0</td><td>Google refused to write into Team</td></tr>"#),
                    "\(table)")
            #expect(table.contains(#"<tr><td>Home</td><td>Work</td><td><span class="badge badge-succeeded">succeeded</span></td><td>2</td><td>1</td><td>0</td>"#))
            let advice = try #require(runPage.components(separatedBy: #"id="run-advice""#).dropFirst().first?.components(separatedBy: "</div>").first)
            #expect(advice.contains("It concerns the direction “Work” → “Team”; the other 5 synced."), "\(advice)")
        }
    }

    @Test("a one-to-one job's pages are as before: no kind list, no directions")
    func oneToOneUnchanged() async throws {
        try await Self.withWorld { app, world in
            let job = try await JobService(db: app.db, userID: try world.base.user.requireID())
                .create(SyncJobSpec(name: "Plain", sourceCalendarID: world.work.id!, destinationCalendarID: world.home.id!)).job
            let run = JobRun(jobID: try job.requireID(), trigger: .manual, mode: .sync, status: .succeeded, scheduledFor: nil, queuedAt: Date())
            run.finishedAt = Date()
            try await run.create(on: app.db)
            let dashboard = try await world.client.get("/").body.string
            #expect(!dashboard.contains("By destination") && !dashboard.contains("Group:"))
            #expect(!(try await world.client.get("/runs/\(try run.requireID())").body.string.contains("run-directions")))
            #expect(try await world.client.get("/jobs/\(try job.requireID())").body.string.contains("Copy one calendar into another"))
        }
    }

    // MARK: - Helpers

    /// A job's card on the dashboard.
    static func card(of job: SyncJob, in html: String) -> String? {
        guard let id = job.id?.uuidString else { return nil }
        return html.components(separatedBy: #"id="job-\#(id)""#).dropFirst().first?.components(separatedBy: "</article>").first
    }

    /// The text of the first element opened by `<opening…>`, tags removed and whitespace collapsed.
    static func text(of opening: String, in html: String) -> String? {
        guard let start = html.range(of: "<" + opening) else { return nil }
        let tag = String(opening.prefix { $0 != " " })
        let element = "<" + opening + html[start.upperBound...].components(separatedBy: "</\(tag)>")[0]
        return element.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
            .replacingOccurrences(of: "\\s+", with: " ", options: .regularExpression).trimmingCharacters(in: .whitespaces)
    }
}

extension SignedInClient {
    /// A form POST with fields in order, a name repeated for each ticked box of a checkbox group (as browsers send it).
    func post(_ path: String, fields: [(String, String)]) async throws -> TestingHTTPResponse {
        let body = (fields + [(CSRFProtection.formField, csrf)]).map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await app.testing().sendRequest(.POST, path, headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"],
                                                   body: ByteBuffer(string: body))
    }
}
