import Fluent
import Foundation
import Metrics
import Tracing

/// Records how a run ended, and what follows from it: the job's state, a retry for transient failures,
/// telemetry and metrics. Only the worker that holds the run's lease may finish it.
struct RunRecorder {
    let db: any Database
    let workerID: String
    let settings: SchedulerSettings

    /// Finishes the run; false when the run was no longer ours (its lease expired and it was recovered elsewhere).
    @discardableResult
    func finish(runID: UUID, outcome: RunOutcome, log: (written: Int, dropped: Int), now: Date = Date()) async throws -> Bool {
        // The run's trace ends with its record (see RunTraces).
        let root = RunTraces.shared.takeRoot(runID)
        defer { root?.end() }
        return try await ServiceContext.withValue(root?.context ?? .current ?? .topLevel) {
            try await withSpan("syncboard.run.record") { span in
                span.attributes["syncboard.run_id"] = runID.uuidString
                return try await finishUntraced(runID: runID, outcome: outcome, log: log, now: now)
            }
        }
    }

    private func finishUntraced(runID: UUID, outcome: RunOutcome, log: (written: Int, dropped: Int), now: Date) async throws -> Bool {
        let finished = try await db.transaction { db -> JobRun? in
            guard let run = try await JobRun.find(runID, on: db), run.status == .running, run.workerID == workerID else {
                return nil
            }
            run.status = outcome.status
            run.engine = outcome.engine.rawValue
            run.finishedAt = now
            run.durationMilliseconds = run.startedAt.map { Int(now.timeIntervalSince($0) * 1000) }
            run.exitCode = outcome.exitCode
            run.createdCount = outcome.created
            run.updatedCount = outcome.updated
            run.deletedCount = outcome.deleted
            run.errorSummary = outcome.errorSummary.map { String($0.prefix(2000)) }
            run.failureClass = outcome.status == .succeeded ? nil : outcome.failureClass
            run.reconnectAccountID = outcome.reconnectAccountID
            run.syncKind = outcome.syncKind
            run.syncReason = outcome.syncReason
            run.storedLegs = outcome.legs.map(JobRun.StoredLegs.init(legs:))
            run.leaseExpiresAt = nil
            run.logLineCount = log.written
            run.logDroppedCount = log.dropped
            try await run.save(on: db)

            let job = try await SyncJob.find(run.$job.id, on: db)
            if let job {
                try await updateJob(job, after: run, outcome: outcome, on: db, now: now)
                try await IncidentTracker(db: db, now: now).runFinished(run, job: job, outcome: outcome)  // notifications (issue 15)
                if QuietCheck.isQuiet(run, of: job, outcome: outcome) {
                    try await QuietCheck.record(run, of: job, on: db, now: now)
                    return run
                }
            }
            try await TelemetryEvent.runOutcome(run, on: db, now: now)
            return run
        }
        guard let run = finished else { return false }
        DataGeneration.bump()
        Counter(label: "syncboard_runs_total", dimensions: [("outcome", outcome.status.rawValue), ("engine", outcome.engine.rawValue)]).increment()
        if let kind = outcome.syncKind {
            Counter(label: "syncboard_sync_runs_total", dimensions: [("kind", kind.rawValue), ("reason", outcome.syncReason ?? "none")]).increment()
        }
        if let milliseconds = run.durationMilliseconds {
            Timer(label: "syncboard_run_duration_seconds", dimensions: [("engine", outcome.engine.rawValue)])
                .recordMilliseconds(milliseconds)
        }
        return true
    }

    private func updateJob(_ job: SyncJob, after run: JobRun, outcome: RunOutcome, on db: any Database, now: Date) async throws {
        guard run.mode == .sync else { return }  // dry runs and clean-ups say nothing about the job's health
        switch outcome.status {
        case .succeeded:
            // Most runs succeed after one that did: then the job's row is not written at all.
            if job.consecutiveFailures != 0 { job.consecutiveFailures = 0 }
            if job.statusReason != nil { job.statusReason = nil }
        case .cancelled, .interrupted:
            break
        default:
            job.consecutiveFailures += 1
            let failureClass = outcome.failureClass ?? .transient
            if failureClass.needsUser {
                job.statusReason = outcome.errorSummary ?? "The last run needs your attention."
            } else if run.attempt < settings.maxAttempts, job.enabled {
                let retry = JobRun(jobID: run.$job.id, trigger: .retry, mode: run.mode, status: .queued, attempt: run.attempt + 1,
                                   scheduledFor: now.addingTimeInterval(settings.retryDelay(beforeAttempt: run.attempt + 1)), queuedAt: now)
                try await retry.create(on: db)
            }
        }
        if job.hasChanges { try await job.save(on: db) }
    }
}
