import Fluent
import Foundation
import SQLKit

/// Keeps the newest `keep` finished runs of every job (their log lines go with them, by foreign key cascade).
struct RunRetention {
    let db: any Database
    let keep: Int

    @discardableResult
    func prune() async throws -> Int {
        let sql = db.sql()
        let doomed = try await sql.raw("""
            SELECT id FROM (
              SELECT id, ROW_NUMBER() OVER (PARTITION BY job_id ORDER BY queued_at DESC) AS position
              FROM job_runs WHERE status NOT IN ('queued', 'running')
            ) ranked WHERE position > \(bind: keep)
            """).all().map { try $0.decode(column: "id", as: UUID.self) }
        // Delete in modest batches so one pass never holds a long lock.
        for batch in stride(from: 0, to: doomed.count, by: 500) {
            let ids = Array(doomed[batch..<min(batch + 500, doomed.count)])
            try await JobRun.query(on: db).filter(\.$id ~~ ids).delete()
        }
        return doomed.count
    }
}
