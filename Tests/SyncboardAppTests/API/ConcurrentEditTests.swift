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

    @Test("six writers at once with the same ETag over a real socket: exactly one PUT saves, the others get 412, nothing is half-written", arguments: TestDatabase.all)
    func concurrentWritersOneWins(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let world = try await JobsTests.world(app)
            let script = try await BearerClient.issue(for: world.user, scope: .readWrite, on: app)
            let created = try await script.send(.POST, "/api/v1/jobs", json: try JobsTests.body(world))
            let job = try created.content.decode(JobsAPIController.JobDTO.self)
            let tag = try #require(created.headers.first(name: .eTag))
            let http = try await LiveHTTP.serve(app)

            for round in 0..<3 {
                let current = round == 0 ? tag : try #require(try await http.api(.GET, "/api/v1/jobs/\(job.id)", token: script.token).headers.first(name: "ETag"))
                let answers = try await withThrowingTaskGroup(of: (String, LiveHTTP.Answer).self) { group in
                    for writer in 0..<6 {
                        let name = "Round \(round) writer \(writer)"
                        let body = try JobsTests.body(world, name: name)
                        group.addTask {
                            var copy = http
                            copy.cookie = nil
                            return (name, try await copy.send(.PUT, "/api/v1/jobs/\(job.id)", body: body, contentType: "application/json",
                                                              headers: [("Authorization", "Bearer \(script.token)"), ("If-Match", current)]))
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                let winners = answers.filter { $0.1.status == 200 }
                #expect(winners.count == 1, "round \(round): \(answers.map { "\($0.0): \($0.1.status)" })")
                #expect(answers.filter { $0.1.status == 412 }.count == 5)
                let stored = try #require(try await SyncJob.find(job.id, on: app.db))
                #expect(stored.name == winners.first?.0)
                #expect(stored.entityTag == winners.first?.1.headers.first(name: "ETag"))
            }
        }
    }

    @Test("If-Match that is not an entity tag is a 400 before any 412, and changes nothing", arguments: TestDatabase.all)
    func malformedIfMatch(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let world = try await JobsTests.world(app)
            let script = try await BearerClient.issue(for: world.user, scope: .readWrite, on: app)
            let job = try await script.send(.POST, "/api/v1/jobs", json: try JobsTests.body(world)).content.decode(JobsAPIController.JobDTO.self)
            for value in ["\"\"", "\"\"x", "", "abc", "\"unterminated", "W/abc", "\"a\", ", "\"has space\""] {
                let put = try await script.send(.PUT, "/api/v1/jobs/\(job.id)", json: try JobsTests.body(world, name: "Should not save"), headers: ["If-Match": value])
                #expect(put.status == .badRequest, "If-Match: \(value) → \(put.status)")
                #expect(put.body.string.contains("If-Match"))
                let delete = try await script.send(.DELETE, "/api/v1/jobs/\(job.id)", headers: ["If-Match": value])
                #expect(delete.status == .badRequest, "If-Match: \(value) → \(delete.status)")
            }
            #expect(try await SyncJob.find(job.id, on: app.db)?.name == "Work → Home")
            // A comma inside a tag's quotes is part of the tag: a well-formed list, compared, not refused.
            let commaTag = try await script.send(.PUT, "/api/v1/jobs/\(job.id)", json: try JobsTests.body(world, name: "Comma"), headers: ["If-Match": #"W/";iP0,""#])
            #expect(commaTag.status == .preconditionFailed)
            // A weak tag is well formed but never matches (If-Match compares strongly).
            let weak = try await script.send(.PUT, "/api/v1/jobs/\(job.id)", json: try JobsTests.body(world, name: "Weak"), headers: ["If-Match": "W/\"0123\""])
            #expect(weak.status == .preconditionFailed)
            let current = try #require(try await SyncJob.find(job.id, on: app.db)).entityTag
            let listed = try await script.send(.PUT, "/api/v1/jobs/\(job.id)", json: try JobsTests.body(world, name: "Listed"),
                                               headers: ["If-Match": #""a,b" ,\#t"# + current])
            #expect(listed.status == .ok, "the job's tag after a tag with a comma in it matches")
        }
    }

    @Test("four job forms saved at once from the same version: one saves, the others get the conflict page", arguments: TestDatabase.all)
    func concurrentFormsOneWins(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let world = try await JobsTests.world(app)
            let job = try await world.client.api(.POST, "/api/v1/jobs", json: try JobsTests.body(world)).content.decode(JobsAPIController.JobDTO.self)
            let stored = try #require(try await SyncJob.find(job.id, on: app.db))
            let version = stored.version
            let spec = stored.spec
            let http = try await LiveHTTP.serve(app).signedIn(world.user, on: app)
            let answers = try await withThrowingTaskGroup(of: (String, LiveHTTP.Answer).self) { group in
                for writer in 0..<4 {
                    var form = JobForm(spec: spec).values
                    form["name"] = "Form \(writer)"
                    form["version"] = version
                    let fields = form.map { ($0.key, $0.value) }
                    group.addTask { ("Form \(writer)", try await http.post("/jobs/\(job.id)", form: fields)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let saved = answers.filter { $0.1.status == 303 }
            #expect(saved.count == 1, "\(answers.map { "\($0.0): \($0.1.status)" })")
            #expect(answers.filter { $0.1.status == 409 && $0.1.body.contains("This job was changed elsewhere") }.count == 3)
            #expect(try await SyncJob.find(job.id, on: app.db)?.name == saved.first?.0)
        }
    }
}
