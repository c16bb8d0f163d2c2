import Fluent
import Foundation
import Testing
import VaporTesting
@testable import SyncboardApp

@Suite("Safe concurrent edits: ETag and If-Match on the API, the job form's conflict message")
struct ConcurrentEditTests {
    @Test("jobs carry an ETag; PUT and DELETE with a stale If-Match are 412 and change nothing", arguments: TestDatabase.all)
    func ifMatch(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let world = try await JobsTests.world(app)
            let script = try await BearerClient.issue(for: world.user, scope: .readWrite, on: app)
            let created = try await script.send(.POST, "/api/v1/jobs", json: try JobsTests.body(world))
            let job = try created.content.decode(JobsAPIController.JobDTO.self)
            let original = try #require(created.headers.first(name: .eTag))
            #expect(original.hasPrefix("\"") && original.count > 10)
            let read = try await script.send(.GET, "/api/v1/jobs/\(job.id)")
            #expect(read.headers.first(name: .eTag) == original)

            // Someone else renames it: the tag changes.
            let renamed = try await script.send(.PUT, "/api/v1/jobs/\(job.id)", json: try JobsTests.body(world, name: "Renamed elsewhere"),
                                                headers: ["If-Match": original])
            #expect(renamed.status == .ok, "\(renamed.body.string)")
            let current = try #require(renamed.headers.first(name: .eTag))
            #expect(current != original)

            // The stale writer is refused, and says what the tag is now.
            let stale = try await script.send(.PUT, "/api/v1/jobs/\(job.id)", json: try JobsTests.body(world, name: "Stale write"),
                                              headers: ["If-Match": original])
            #expect(stale.status == .preconditionFailed)
            #expect(stale.headers.first(name: .eTag) == current)
            #expect(try stale.content.decode(SyncboardErrorMiddleware.APIError.self).error == "precondition_failed")
            let staleDelete = try await script.send(.DELETE, "/api/v1/jobs/\(job.id)", headers: ["If-Match": original])
            #expect(staleDelete.status == .preconditionFailed)
            #expect(try await SyncJob.find(job.id, on: app.db)?.name == "Renamed elsewhere")

            // Pausing is a change too; a run's bookkeeping is not.
            let paused = try await script.send(.POST, "/api/v1/jobs/\(job.id)/pause")
            let pausedTag = try #require(paused.headers.first(name: .eTag))
            #expect(pausedTag != current)
            let stored = try #require(try await SyncJob.find(job.id, on: app.db))
            stored.nextRunAt = Date().addingTimeInterval(7200)
            stored.consecutiveFailures = 2
            try await stored.save(on: app.db)
            #expect(try await script.send(.GET, "/api/v1/jobs/\(job.id)").headers.first(name: .eTag) == pausedTag)

            // The current tag (or *) is accepted.
            #expect(try await script.send(.PUT, "/api/v1/jobs/\(job.id)", json: try JobsTests.body(world, name: "Fresh write"),
                                          headers: ["If-Match": "\"nope\", \(pausedTag)"]).status == .ok)
            #expect(try await script.send(.DELETE, "/api/v1/jobs/\(job.id)", headers: ["If-Match": "*"]).status == .noContent)
            #expect(try await SyncJob.find(job.id, on: app.db) == nil)
        }
    }

    @Test("the job form notices an edit made elsewhere since it was opened, says so, keeps the typing and saves nothing", arguments: TestDatabase.all)
    func formConflict(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let world = try await JobsTests.world(app)
            let job = try await world.client.api(.POST, "/api/v1/jobs", json: try JobsTests.body(world)).content.decode(JobsAPIController.JobDTO.self)
            let editPage = try await world.client.get("/jobs/\(job.id)/edit").body.string
            let match = try #require(editPage.firstMatch(of: try Regex(#"name="version" value="([0-9a-f]+)""#)))
            let openedVersion = String(try #require(match.output[1].substring))

            // Meanwhile a script renames the job.
            let script = try await BearerClient.issue(for: world.user, scope: .readWrite, on: app)
            #expect(try await script.send(.PUT, "/api/v1/jobs/\(job.id)", json: try JobsTests.body(world, name: "Renamed by a script")).status == .ok)

            var form = JobForm(spec: try #require(try await SyncJob.find(job.id, on: app.db)).spec).values
            form["name"] = "Typed in the form"
            form["version"] = openedVersion
            let refused = try await world.client.post("/jobs/\(job.id)", form: form)
            #expect(refused.status == .conflict)
            #expect(refused.body.string.contains("This job was changed elsewhere"))
            #expect(refused.body.string.contains(#"role="alert""#))
            #expect(refused.body.string.contains(#"value="Typed in the form""#))
            #expect(try await SyncJob.find(job.id, on: app.db)?.name == "Renamed by a script")

            // The refused form carries the current version: saving it again is a deliberate overwrite.
            let again = try #require(refused.body.string.firstMatch(of: try Regex(#"name="version" value="([0-9a-f]+)""#)))
            form["version"] = String(try #require(again.output[1].substring))
            #expect(form["version"] != openedVersion)
            let saved = try await world.client.post("/jobs/\(job.id)", form: form)
            #expect(saved.status == .seeOther)
            #expect(try await SyncJob.find(job.id, on: app.db)?.name == "Typed in the form")

            // An unchanged job saves as before.
            let fresh = try await world.client.get("/jobs/\(job.id)/edit").body.string
            let freshVersion = try #require(fresh.firstMatch(of: try Regex(#"name="version" value="([0-9a-f]+)""#)))
            form["version"] = String(try #require(freshVersion.output[1].substring))
            form["name"] = "Second edit"
            #expect(try await world.client.post("/jobs/\(job.id)", form: form).status == .seeOther)
            #expect(try await SyncJob.find(job.id, on: app.db)?.name == "Second edit")
        }
    }
}
