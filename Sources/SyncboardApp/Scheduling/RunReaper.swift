import Fluent
import Foundation

/// Recovers runs whose worker died: a running run whose lease has expired is marked abandoned, and a recovery run
/// of the same job is queued in its place, so nothing stays "running" forever and no due run is lost.
struct RunReaper {
    let db: any Database

    @discardableResult
    func reap(now: Date = Date()) async throws -> Int {
        let expired = try await JobRun.query(on: db)
            .filter(\.$status == .running).filter(\.$leaseExpiresAt < now).all()
        var recovered = 0
        for candidate in expired {
            let reaped = try await db.transaction { db -> Bool in
                // Re-read inside the transaction: the owner may have renewed or finished it meanwhile.
                guard let run = try await JobRun.find(candidate.id, on: db), run.status == .running,
                      let lease = run.leaseExpiresAt, lease < now
                else { return false }
                run.status = .abandoned
                run.finishedAt = now
                run.errorSummary = "The worker running this (\(run.workerID ?? "unknown")) stopped responding; the job was queued to run again."
                run.failureClass = .transient
                try await run.save(on: db)
                if let job = try await SyncJob.find(run.$job.id, on: db), job.enabled {
                    let recovery = JobRun(jobID: run.$job.id, trigger: .recovery, mode: run.mode, status: .queued,
                                          attempt: run.attempt, scheduledFor: now, queuedAt: now)
                    try await recovery.create(on: db)
                }
                return true
            }
            if reaped { recovered += 1 }
        }
        if recovered > 0 { DataGeneration.bump() }
        return recovered
    }
}
