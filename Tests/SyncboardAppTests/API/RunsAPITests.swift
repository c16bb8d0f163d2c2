import Fluent
import Foundation
import Testing
import VaporTesting
@testable import SyncboardApp

@Suite("API for scripts: runs paged and filtered, log lines paged and streamed, accounts, 405")
struct RunsAPITests {
    /// `count` finished runs of `job`, a minute apart (the newest last), each with `lines` log lines.
    static func runs(_ app: Application, job: UUID, count: Int, status: JobRun.Status = .succeeded, lines: Int = 0) async throws -> [UUID] {
        var ids: [UUID] = []
        for index in 0..<count {
            let at = Date(timeIntervalSince1970: 1_764_000_000 + Double(index) * 60)
            let run = JobRun(jobID: job, trigger: .scheduled, mode: index % 2 == 0 ? .sync : .dryRun, status: status, scheduledFor: at, queuedAt: at)
            try await run.create(on: app.db)
            for seq in 0..<lines {
                try await RunLogLine(runID: try run.requireID(), seq: seq, stream: .stdout, loggedAt: at, text: "line \(seq)").create(on: app.db)
            }
            ids.append(try run.requireID())
        }
        return ids
    }

    @Test("GET /runs pages newest first with a cursor and a bounded limit, filters, and never shows another user's runs", arguments: TestDatabase.all)
    func listRuns(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let world = try await JobsTests.world(app)
            let job = try await world.client.api(.POST, "/api/v1/jobs", json: try JobsTests.body(world)).content.decode(JobsAPIController.JobDTO.self)
            let ids = try await Self.runs(app, job: job.id, count: 5)
            let script = try await BearerClient.issue(for: world.user, scope: .readOnly, on: app)

            var seen: [UUID] = []
            var cursor: String?
            repeat {
                let response = try await script.send(.GET, "/api/v1/runs?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                #expect(response.status == .ok)
                let page = try response.content.decode(ListPage<JobsAPIController.RunDTO>.self)
                #expect(page.items.count <= 2)
                seen += page.items.map(\.id)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen == ids.reversed())

            let dryRuns = try await script.send(.GET, "/api/v1/runs?mode=dry_run&jobId=\(job.id)").content.decode(ListPage<JobsAPIController.RunDTO>.self)
            #expect(dryRuns.items.map(\.id) == [ids[3], ids[1]] && dryRuns.nextCursor == nil)
            let perJob = try await script.send(.GET, "/api/v1/jobs/\(job.id)/runs?limit=3").content.decode(ListPage<JobsAPIController.RunDTO>.self)
            #expect(perJob.items.map(\.id) == Array(ids.reversed().prefix(3)) && perJob.nextCursor == ids[2].uuidString)
            #expect(try await script.send(.GET, "/api/v1/runs/\(ids[0])").content.decode(JobsAPIController.RunDTO.self).id == ids[0])

            // A bad limit, filter or cursor is a 400 naming it, never silently changed.
            for query in ["limit=0", "limit=501", "limit=many", "status=done", "mode=fast", "jobId=nope", "cursor=nope"] {
                let response = try await script.send(.GET, "/api/v1/runs?\(query)")
                #expect(response.status == .badRequest, "\(query)")
                #expect(try response.content.decode(SyncboardErrorMiddleware.APIError.self).message.contains(query.components(separatedBy: "=")[0]))
            }

            let intruder = try await BearerClient.issue(for: try await Fixtures.user(app.db, email: "intruder@example.com"), scope: .readOnly, on: app)
            #expect(try await intruder.send(.GET, "/api/v1/runs").content.decode(ListPage<JobsAPIController.RunDTO>.self).items.isEmpty)
            #expect(try await intruder.send(.GET, "/api/v1/runs/\(ids[0])").status == .notFound)
            #expect(try await intruder.send(.GET, "/api/v1/runs/\(ids[0])/log").status == .notFound)
            #expect(try await intruder.send(.GET, "/api/v1/runs?cursor=\(ids[0])").status == .notFound)
        }
    }

    @Test("a run's log lines come a page at a time, and its stream sends the lines then the end", arguments: TestDatabase.all)
    func logLines(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let world = try await JobsTests.world(app)
            let job = try await world.client.api(.POST, "/api/v1/jobs", json: try JobsTests.body(world)).content.decode(JobsAPIController.JobDTO.self)
            let run = try #require(try await Self.runs(app, job: job.id, count: 1, lines: 5).first)
            let script = try await BearerClient.issue(for: world.user, scope: .readOnly, on: app)

            var texts: [String] = []
            var cursor: String?
            repeat {
                let page = try await script.send(.GET, "/api/v1/runs/\(run)/log?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                    .content.decode(RunsAPIController.LogPage.self)
                #expect(page.finished)
                texts += page.items.map(\.text)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(texts == (0..<5).map { "line \($0)" })
            #expect(try await script.send(.GET, "/api/v1/runs/\(run)/log?cursor=x").status == .badRequest)

            let stream = try await script.send(.GET, "/api/v1/runs/\(run)/log/stream")
            #expect(stream.status == .ok)
            #expect(stream.headers.contentType?.subType == "event-stream")
            #expect(stream.body.string.components(separatedBy: "event: line").count == 6)
            #expect(stream.body.string.contains("event: end"))
        }
    }

    @Test("an account is read on its own; a method a path does not have is 405 with Allow")
    func accountsAndMethods() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let world = try await JobsTests.world(app)
            let script = try await BearerClient.issue(for: world.user, scope: .readWrite, on: app)
            let account = try #require(try await script.send(.GET, "/api/v1/accounts").content.decode([AccountsAPIController.AccountDTO].self).first)
            let one = try await script.send(.GET, "/api/v1/accounts/\(account.id)")
            #expect(try one.content.decode(AccountsAPIController.AccountDTO.self).calendars.count == account.calendars.count)
            let patch = try await script.send(.PATCH, "/api/v1/jobs")
            #expect(patch.status == .methodNotAllowed)
            #expect(patch.headers.first(name: "Allow") == "GET, POST")
            #expect(try await script.send(.PATCH, "/api/v1/nothing-here").status == .notFound)
        }
    }
}
