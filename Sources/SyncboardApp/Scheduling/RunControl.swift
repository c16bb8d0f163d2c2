import Fluent
import Foundation

/// Run now (in any mode) and cancel, for the UI, the API and the `run-job` command.
struct RunControl {
    let db: any Database

    enum Refusal: Error, CustomStringConvertible, Equatable {
        case alreadyActive(runID: UUID)
        case notActive

        var description: String {
            switch self {
            case .alreadyActive: return "This job is already running or queued. Wait for that run to finish, or cancel it first."
            case .notActive: return "This run has already finished."
            }
        }
    }

    /// Queues a run to start at the next scheduler tick. Refused while another run of the job is active.
    func runNow(jobID: UUID, mode: JobRun.Mode, now: Date = Date()) async throws -> JobRun {
        if let active = try await JobRun.query(on: db).filter(\.$job.$id == jobID).filter(\.$status ~~ JobRun.Status.active).first() {
            throw Refusal.alreadyActive(runID: try active.requireID())
        }
        let run = JobRun(jobID: jobID, trigger: .manual, mode: mode, status: .queued, scheduledFor: now, queuedAt: now)
        do {
            try await run.create(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Another request or worker got there between the check and the insert: the unique index decided.
            let active = try await JobRun.query(on: db).filter(\.$job.$id == jobID).filter(\.$status ~~ JobRun.Status.active).first()
            throw Refusal.alreadyActive(runID: try active?.requireID() ?? UUID())
        }
        return run
    }

    /// Cancels a queued run at once, or asks the worker running it to stop (it notices within seconds).
    func cancel(runID: UUID, now: Date = Date()) async throws -> JobRun {
        try await db.transaction { db in
            guard let run = try await JobRun.find(runID, on: db), run.status.isFinal == false else { throw Refusal.notActive }
            if run.status == .queued {
                run.status = .cancelled
                run.finishedAt = now
                run.errorSummary = "Cancelled before it started."
            } else {
                run.cancelRequested = true
            }
            try await run.save(on: db)
            return run
        }
    }
}
