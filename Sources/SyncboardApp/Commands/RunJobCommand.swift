import Fluent
import Foundation
import Vapor

/// `syncboard run-job`: runs one job now, in this process, printing its log as it goes (for operators).
/// The run is recorded like any other, so it shows on the dashboard; a run already active is refused.
enum RunJobCommand {
    static func run(_ configuration: AppConfiguration, jobID: UUID, mode: JobRun.Mode,
                           print: @escaping @Sendable (String) -> Void) async throws -> JobRun.Status {
        let app = try await SyncboardApplication.make(configuration: configuration,
                                                      environment: Environment(name: "production", arguments: ["syncboard"]))
        do {
            try await ProcessRunner.prepareDatabase(app)
            guard let job = try await SyncJob.find(jobID, on: app.db) else {
                throw Abort(.notFound, reason: "there is no job with id \(jobID)")
            }
            let workerID = "run-job-\(ProcessInfo.processInfo.processIdentifier)"
            let now = Date()
            let run = JobRun(jobID: jobID, trigger: .manual, mode: mode, status: .running, scheduledFor: now, queuedAt: now)
            run.startedAt = now
            run.workerID = workerID
            run.leaseExpiresAt = now.addingTimeInterval(configuration.scheduler.runTimeout + 60)
            do {
                try await run.create(on: app.db)
            } catch let error as any DatabaseError where error.isConstraintFailure {
                throw Abort(.conflict, reason: RunControl.Refusal.alreadyActive(runID: UUID()).description)
            }
            print("Running “\(job.name)” (\(mode.rawValue)), run \(try run.requireID())")
            let log = RunLogWriter(runID: try run.requireID(), db: app.db, echo: print)
            let executor = app.syncboard.runExecutor ?? NoopRunExecutor()
            let outcome = await executor.execute(
                RunContext(runID: try run.requireID(), jobID: jobID, mode: mode, trigger: .manual, attempt: 1,
                           timeout: configuration.scheduler.runTimeout),
                log: log)
            let written = await log.finish()
            try await RunRecorder(db: app.db, workerID: workerID, settings: configuration.scheduler)
                .finish(runID: try run.requireID(), outcome: outcome, log: written)
            print("Result: \(outcome.status.rawValue)" + (outcome.errorSummary.map { ": \($0)" } ?? "")
                  + (outcome.created.map { " (\($0) created, \(outcome.updated ?? 0) updated, \(outcome.deleted ?? 0) deleted)" } ?? ""))
            try await app.asyncShutdown()
            return outcome.status
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }
}
