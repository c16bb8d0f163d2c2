import Fluent
import Vapor

/// The buttons on the dashboard and job page: run now, dry run, clean up, pause, resume.
struct JobActionsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let job = routes.grouped("jobs", ":jobID")
        job.post("run") { try await self.run($0, mode: .sync) }
        job.post("dry-run") { try await self.run($0, mode: .dryRun) }
        job.post("clean") { try await self.run($0, mode: .clean) }
        job.post("pause", use: pause)
        job.post("resume", use: resume)
    }

    func run(_ req: Request, mode: JobRun.Mode) async throws -> Response {
        let job = try await JobQueries.job(req.parameters.get("jobID"), of: try req.requireUser().requireID(), on: req.db)
        do {
            let run = try await RunControl(db: req.db).runNow(jobID: try job.requireID(), mode: mode)
            req.application.syncboard.wakeups.runDue()
            return req.redirect(to: "/runs/\(try run.requireID().uuidString)")
        } catch let refusal as RunControl.Refusal {
            throw Abort(.conflict, reason: refusal.description)
        }
    }

    func pause(req: Request) async throws -> Response {
        let job = try await JobQueries.job(req.parameters.get("jobID"), of: try req.requireUser().requireID(), on: req.db)
        try await JobLifecycle(db: req.db, nextRun: req.application.syncboard.nextRun).pause(job)
        return req.redirect(to: req.headers.first(name: .referer).flatMap(Self.localPath) ?? "/")
    }

    func resume(req: Request) async throws -> Response {
        let job = try await JobQueries.job(req.parameters.get("jobID"), of: try req.requireUser().requireID(), on: req.db)
        try await JobLifecycle(db: req.db, nextRun: req.application.syncboard.nextRun).resume(job)
        req.application.syncboard.wakeups.jobsChanged()
        return req.redirect(to: req.headers.first(name: .referer).flatMap(Self.localPath) ?? "/")
    }

    /// Only same-site paths are followed back (never an open redirect).
    static func localPath(_ referer: String) -> String? {
        guard let url = URL(string: referer), url.path.hasPrefix("/"), !url.path.hasPrefix("//") else { return nil }
        return url.path
    }
}

/// Pausing and resuming: a paused job has no next run. Resuming runs it at once when changes may be waiting: a
/// real-time job always (as when it is created: whatever changed while it was paused should arrive in seconds, not
/// at the next safety poll), any other job when one of its slots passed while it was paused (since its last run);
/// otherwise at its next slot.
struct JobLifecycle {
    let db: any Database
    let nextRun: @Sendable (SyncJob, Date) -> Date?

    func pause(_ job: SyncJob) async throws {
        job.enabled = false
        job.nextRunAt = nil
        job.statusReason = "Paused by you."
        try await job.save(on: db)
    }

    func resume(_ job: SyncJob, now: Date = Date()) async throws {
        guard job.$sourceCalendar.id != nil, job.$destinationCalendar.id != nil else {
            throw Abort(.conflict, reason: "This job has lost a calendar (its account was unlinked). Edit it and pick the calendars again.")
        }
        let lastRun = try await JobRun.query(on: db).filter(\.$job.$id == job.requireID()).sort(\.$queuedAt, .descending).first()
        job.enabled = true
        job.statusReason = nil
        job.nextRunAt = Self.runAfterResuming(job, lastRan: lastRun?.queuedAt ?? job.createdAt, now: now, nextRun: nextRun)
        try await job.save(on: db)
    }

    static func runAfterResuming(_ job: SyncJob, lastRan: Date?, now: Date, nextRun: (SyncJob, Date) -> Date?) -> Date? {
        if job.cadence.isRealtime { return now }
        if let lastRan, let missed = nextRun(job, lastRan), missed <= now { return now }
        return nextRun(job, now)
    }
}

/// Jobs are always looked up within the signed-in user's own, so another user's ids are not found.
enum JobQueries {
    static func job(_ rawID: String?, of userID: UUID, on db: any Database) async throws -> SyncJob {
        guard let rawID, let id = UUID(uuidString: rawID),
              let job = try await SyncJob.query(on: db).filter(\.$id == id).filter(\.$user.$id == userID).first()
        else { throw Abort(.notFound, reason: "No such job.") }
        return job
    }
}
