import Fluent
import Foundation
import Testing
import Vapor
@testable import SyncboardApp

/// Issue 25: a query value Vapor cannot percent-decode (`limit=%ff`) read as no value at all, so a list answered
/// its first page; and a 401 for a request without credentials named no scheme. Over HTTP, as a script sends them.
@Suite("API input: undecodable or bad query values are a 400 naming the parameter; no credentials is a 401 with WWW-Authenticate")
struct APIInputTests {
    static func object(_ body: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
    }

    @Test("every list refuses bad limit, cursor and filter values, naming the parameter", arguments: TestDatabase.all)
    func badQueryValues(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let world = try await JobsTests.world(app)
            let http = try await LiveHTTP.serve(app)
            let token = try await NotificationsAPITests.token(world.user, app)
            let created = try await http.api(.POST, "/api/v1/jobs", token: token, json: try JobsTests.body(world))
            try #require(created.status == 201, "\(created.body)")
            let job = try #require(try Self.object(created.body)["id"] as? String)
            let at = Date(timeIntervalSince1970: 1_764_000_000)
            let run = JobRun(jobID: try #require(UUID(uuidString: job)), trigger: .manual, mode: .sync, status: .succeeded, scheduledFor: at, queuedAt: at)
            try await run.create(on: app.db)
            let runID = try run.requireID()

            // Undecodable (not percent-encoded UTF-8: a lone byte, a cut-off sequence, an encoded surrogate), or sent
            // twice: refused on every list, even beside a key Vapor cannot read (which made it ignore all of them).
            let paging = ["limit=%ff", "limit=%C3", "cursor=%ff", "cursor=%ED%A0%80", "limit=2&limit=3", "cursor=%ff&%ff=1", "limit=0&%ff=1", "limit"]
            var cases: [(path: String, query: String)] = []
            for path in ["/api/v1/jobs", "/api/v1/runs", "/api/v1/jobs/\(job)/runs", "/api/v1/runs/\(runID)/log"] {
                cases += paging.map { (path, $0) }
            }
            for path in ["/api/v1/runs", "/api/v1/jobs/\(job)/runs"] {
                cases += ["status=%ff", "status=done", "status=", "mode=%ff", "mode=fast", "mode=dry_run&mode=sync"].map { (path, $0) }
            }
            cases += ["jobId=%ff", "jobId=nope", "jobId=\(job)%ff"].map { ("/api/v1/runs", $0) }
            cases += ["after=%ff", "after=x", "after=-2"].map { ("/api/v1/runs/\(runID)/log/stream", $0) }

            for (path, query) in cases {
                let answer = try await http.api(.GET, "\(path)?\(query)", token: token)
                #expect(answer.status == 400, "\(path)?\(query): \(answer.status) \(answer.body)")
                let body = try Self.object(answer.body)
                let parameter = String(query.prefix { $0 != "=" })
                #expect(body["error"] as? String == "bad_request", "\(path)?\(query)")
                #expect((body["message"] as? String)?.contains("Query parameter \"\(parameter)\"") == true, "\(path)?\(query): \(answer.body)")
            }

            // Good values still read as before, encoded or not.
            for query in ["limit=1", "limit=%31", "mode=dry%5Frun", "status=succeeded&jobId=\(job.lowercased())", "cursor=\(runID)"] {
                #expect(try await http.api(.GET, "/api/v1/runs?\(query)", token: token).status == 200, "\(query)")
            }
            let found = try await http.api(.GET, "/api/v1/runs?mode=sync&limit=%35", token: token)
            #expect((try Self.object(found.body)["items"] as? [Any])?.count == 1)
        }
    }

    @Test("an API request without credentials is a JSON 401 with WWW-Authenticate: Bearer, as a refused token's is")
    func noCredentials() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let http = try await LiveHTTP.serve(app)
            for path in ["/api/v1/jobs", "/api/v1/runs?limit=%ff", "/api/v1/notifications/settings"] {
                let answer = try await http.send(.GET, path, headers: [("Accept", "application/json")])
                #expect(answer.status == 401, "\(path)")
                #expect(answer.headers.first(name: "WWW-Authenticate") == "Bearer", "\(path)")
                #expect(try Self.object(answer.body)["error"] as? String == "unauthenticated")
            }
            let refused = try await http.api(.GET, "/api/v1/jobs", token: "sbp_not-a-token")
            #expect(refused.status == 401 && refused.headers.first(name: "WWW-Authenticate") == "Bearer")
        }
    }
}
