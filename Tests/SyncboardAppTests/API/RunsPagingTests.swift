import Fluent
import Foundation
import Testing
import Vapor
@testable import SyncboardApp

/// Issue 25: a run list's cursor re-read the cursor run's `queuedAt` and bound it again, which on SQLite (a Double,
/// rounded to microseconds when read) is not the stored value; runs queued together were then repeated (the walk at
/// limit 1 never ended) or skipped. Walked here over HTTP, as a script does.
@Suite("Run lists page through runs queued in the same second: each run once, and the walk ends")
struct RunsPagingTests {
    struct Walk {
        var ids: [UUID] = []
        var ended = false
    }

    /// Follows nextCursor from the first page, at most as many pages as `expected` runs need (and two more), so that
    /// a cursor that leads back to itself ends the test instead of hanging it.
    static func walk(_ http: LiveHTTP, _ path: String, limit: Int, expected: Int, token: String) async throws -> Walk {
        var walk = Walk()
        var cursor: String?
        for _ in 0..<(expected / limit + 3) {
            let query = (path.contains("?") ? "&" : "?") + "limit=\(limit)" + (cursor.map { "&cursor=\($0)" } ?? "")
            let answer = try await http.api(.GET, path + query, token: token)
            try #require(answer.status == 200, "\(path)\(query): \(answer.status) \(answer.body)")
            let page = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])
            let items = try #require(page["items"] as? [[String: Any]])
            #expect(items.count <= limit)
            walk.ids += try items.map { try #require(($0["id"] as? String).flatMap(UUID.init(uuidString:))) }
            guard let next = page["nextCursor"] as? String else {
                walk.ended = true
                return walk
            }
            cursor = next
        }
        return walk
    }

    @Test("150 runs of 2 jobs in both modes, queued within one second (many at the same instant), walked at limits 1, 3, 9 and 50 through /runs, /jobs/{id}/runs, jobId and mode",
          arguments: TestDatabase.all)
    func runsQueuedTogether(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let world = try await JobsTests.world(app)
            let http = try await LiveHTTP.serve(app)
            let setup = try await NotificationsAPITests.token(world.user, app)
            var jobs: [UUID] = []
            for name in ["Alpha", "Beta"] {
                let created = try await http.api(.POST, "/api/v1/jobs", token: setup, json: try JobsTests.body(world, name: name))
                try #require(created.status == 201, "\(created.body)")
                let body = try #require(try JSONSerialization.jsonObject(with: Data(created.body.utf8)) as? [String: Any])
                jobs.append(try #require((body["id"] as? String).flatMap(UUID.init(uuidString:))))
            }

            // Three runs share each instant; the instants are 4.3 ms apart with fractions below a microsecond, as
            // real clocks give them (SQLite stores the Double as it is, and reads it back rounded to microseconds).
            var runs: [(id: UUID, job: UUID, mode: JobRun.Mode, queuedAt: Date)] = []
            for index in 0..<150 {
                let at = Date(timeIntervalSince1970: 1_764_000_000.1 + Double(index / 3) * 0.004_321_987_654_3)
                let job = jobs[index % 2]
                let mode: JobRun.Mode = index % 4 < 2 ? .sync : .dryRun
                let run = JobRun(jobID: job, trigger: .scheduled, mode: mode, status: .succeeded, scheduledFor: at, queuedAt: at)
                try await run.create(on: app.db)
                runs.append((try run.requireID(), job, mode, at))
            }

            var lists: [(path: String, runs: [UUID])] = [("/api/v1/runs", runs.map(\.id))]
            for job in jobs {
                let ids = runs.filter { $0.job == job }.map(\.id)
                lists += [("/api/v1/jobs/\(job)/runs", ids), ("/api/v1/runs?jobId=\(job)", ids)]
            }
            for mode in [JobRun.Mode.sync, .dryRun] {
                lists.append(("/api/v1/runs?mode=\(mode.rawValue)", runs.filter { $0.mode == mode }.map(\.id)))
            }
            let queuedAt = Dictionary(uniqueKeysWithValues: runs.map { ($0.id, $0.queuedAt) })

            for (path, expected) in lists {
                // One token per list: a list walked at every limit stays within the per-token rate limit.
                let token = try await NotificationsAPITests.token(world.user, app, scope: .readOnly)
                var orders: [Int: [UUID]] = [:]
                for limit in [1, 3, 9, 50] {
                    let walk = try await Self.walk(http, path, limit: limit, expected: expected.count, token: token)
                    #expect(walk.ended, "\(path) at limit \(limit) did not end after \(walk.ids.count) items")
                    #expect(walk.ids.count == Set(walk.ids).count, "\(path) at limit \(limit) repeated \(walk.ids.count - Set(walk.ids).count) runs")
                    #expect(Set(walk.ids) == Set(expected), "\(path) at limit \(limit) missed \(Set(expected).subtracting(walk.ids).count) runs")
                    let times = walk.ids.compactMap { queuedAt[$0] }
                    #expect(zip(times, times.dropFirst()).allSatisfy { $0 >= $1 }, "\(path) at limit \(limit) is not newest first")
                    orders[limit] = walk.ids
                }
                // The order is the same whatever the page size.
                #expect(Set(orders.values).count == 1, "\(path): the order depends on the limit")
            }
        }
    }
}
