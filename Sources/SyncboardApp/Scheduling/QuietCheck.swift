import Fluent
import Foundation
import Metrics

/// A real-time job is checked every minute or on every notification; most checks find nothing. Such a check is
/// counted on the job (and the last one's time kept) instead of staying in the run history, where it would push
/// the runs that changed something out of retention and flood the insights.
enum QuietCheck {
    /// A scheduled incremental sync of a real-time job that succeeded without writing anything.
    static func isQuiet(_ run: JobRun, of job: SyncJob, outcome: RunOutcome) -> Bool {
        job.cadence.isRealtime && run.mode == .sync && run.trigger != .manual && outcome.status == .succeeded
            && outcome.syncKind == .incremental && (outcome.created ?? 0) + (outcome.updated ?? 0) + (outcome.deleted ?? 0) == 0
    }

    /// Counts the check on the job and removes the run (with its log).
    static func record(_ run: JobRun, of job: SyncJob, on db: any Database, now: Date) async throws {
        job.quietChecks += 1
        job.lastQuietCheckAt = now
        try await job.save(on: db)
        try await RunLogLine.query(on: db).filter(\.$run.$id == run.requireID()).delete()
        try await run.delete(on: db)
        Counter(label: "syncboard_quiet_checks_total").increment()
    }
}
