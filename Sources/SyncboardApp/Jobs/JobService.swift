import Fluent
import Foundation
import SQLKit
import SyncboardCore
import Vapor

/// Creating, changing, duplicating and deleting jobs, always within one user's own calendars and jobs.
/// Validation happens here (with the core's rules) so the form and the API refuse the same things.
struct JobService {
    let db: any Database
    let userID: UUID
    /// The installation's engine (SYNCBOARD_ENGINE): with the CalendarSync CLI only, built-in-only rules are refused.
    var engine: AppConfiguration.EngineChoice = .auto

    /// The user's calendars, by Syncboard id (another user's calendar is simply unknown here).
    func calendars() async throws -> [UUID: LinkedCalendar] {
        let accounts = try await LinkedAccount.query(on: db).filter(\.$user.$id == userID).all(\.$id)
        guard !accounts.isEmpty else { return [:] }
        let calendars = try await LinkedCalendar.query(on: db).filter(\.$account.$id ~~ accounts).all()
        return Dictionary(uniqueKeysWithValues: calendars.compactMap { calendar in calendar.id.map { ($0, calendar) } })
    }

    struct Saved {
        let job: SyncJob
        /// A warning that did not stop the save (e.g. a job in the opposite direction exists).
        let warning: String?
    }

    /// Fills what the user may leave out (the time zone defaults to the source calendar's), then validates.
    func validate(_ input: SyncJobSpec, excluding jobID: UUID? = nil) async throws -> (SyncJobSpec, String?) {
        let calendars = try await calendars()
        var spec = input
        if spec.timeZone.trimmingCharacters(in: .whitespaces).isEmpty {
            spec.timeZone = spec.sourceCalendarID.flatMap { calendars[$0]?.timeZone } ?? "UTC"
        }
        var (normalised, errors) = spec.validated { id in
            calendars[id].map { SyncJobSpec.CalendarFacts(exists: true, writable: $0.isWritable, removed: $0.removedAt != nil, summary: $0.summary,
                                                provider: $0.provider) }
        }
        errors += EngineRouting.problems(with: normalised, engine: engine)
        errors += EngineRouting.providerProblems(with: normalised, engine: engine) { id in calendars[id].map { ($0.provider, $0.summary) } }
        guard errors.isEmpty else {
            throw ValidationFailure(reason: "The job was not saved: \(errors.count == 1 ? "one field needs" : "\(errors.count) fields need") attention.",
                                    fields: errors.map { .init(field: $0.field, message: $0.message) })
        }
        var others = try await SyncJob.query(on: db).filter(\.$user.$id == userID).filter(\.$enabled == true).all()
        if let jobID { others.removeAll { $0.id == jobID } }
        // A group never copies copies; two copy jobs in opposite directions do.
        let warning = normalised.kind == .group ? nil : SyncJobSpec.reverseDirectionWarning(
            source: normalised.sourceCalendarID, destination: normalised.destinationCalendarID,
            otherEnabledJobs: others.filter { $0.kind == .copy }.map { ($0.name, $0.$sourceCalendar.id, $0.$destinationCalendar.id) })
        return (normalised, warning)
    }

    func create(_ input: SyncJobSpec, now: Date = Date()) async throws -> Saved {
        let (spec, warning) = try await validate(input)
        let job = SyncJob(userID: userID, spec: spec)
        job.id = UUID()
        job.feedRefreshMinutes = try await FeedStore.refreshMinutes(of: spec.memberCalendarIDs, on: db)
        job.nextRunAt = Self.firstRun(of: job, now: now)
        try await job.create(on: db)
        return Saved(job: job, warning: warning)
    }

    /// Changes a job, but only while it is still the version the caller read (`expecting` judges the job as it is
    /// now, e.g. an `If-Match` header or the form's hidden version). Reading, judging and writing are one step: one
    /// transaction, the row locked on PostgreSQL (SQLite's `BEGIN IMMEDIATE` holds the write lock from the start), so
    /// of two writers who read the same version exactly one saves and the other gets `JobConflict`.
    func update(_ jobID: UUID, expecting: @escaping @Sendable (SyncJob) -> Bool = { _ in true }, with input: SyncJobSpec,
                now: Date = Date()) async throws -> Saved {
        try await db.transaction { db in
            let service = JobService(db: db, userID: userID, engine: engine)
            let job = try await service.lockedJob(jobID)
            guard expecting(job) else { throw JobConflict(current: job) }
            let (spec, warning) = try await service.validate(input, excluding: job.id)
            job.apply(spec)
            job.feedRefreshMinutes = try await FeedStore.refreshMinutes(of: spec.memberCalendarIDs, on: db)
            if job.enabled {
                job.nextRunAt = Self.firstRun(of: job, now: now)
                job.statusReason = nil
            }
            try await job.save(on: db)
            return Saved(job: job, warning: warning)
        }
    }

    /// The user's job, read for a change within the current transaction: on PostgreSQL its row is locked until the
    /// transaction ends, so a concurrent writer waits and then sees this one's change.
    func lockedJob(_ jobID: UUID) async throws -> SyncJob {
        if db.inTransaction, db.isPostgreSQL {
            try await db.sql().raw("SELECT id FROM sync_jobs WHERE id = \(bind: jobID) FOR UPDATE").run()
        }
        guard let job = try await SyncJob.query(on: db).filter(\.$id == jobID).filter(\.$user.$id == userID).first() else {
            throw Abort(.notFound, reason: "No such job.")
        }
        return job
    }

    /// When a job just saved runs first: a real-time job at once (its first run reads both calendars and opens its
    /// push channel, so waiting for the check interval would only delay the "changes in seconds" it promises);
    /// others at their cadence.
    static func firstRun(of job: SyncJob, now: Date) -> Date? {
        job.cadence.isRealtime ? now : job.nextRun(after: now)
    }

    /// A paused copy named "… (copy)", for a variation of an existing job.
    func duplicate(_ job: SyncJob) async throws -> SyncJob {
        var spec = job.spec
        spec.name = String("\(job.name) (copy)".prefix(SyncJobSpec.nameLimit))
        let copy = SyncJob(userID: userID, spec: spec)
        copy.feedRefreshMinutes = job.feedRefreshMinutes
        copy.enabled = false
        copy.statusReason = "A copy: review it, then resume it."
        try await copy.create(on: db)
        return copy
    }

    /// Deletes a job, only while it is still the version the caller read (atomic as `update` is).
    func delete(_ jobID: UUID, expecting: @escaping @Sendable (SyncJob) -> Bool = { _ in true }) async throws {
        try await db.transaction { db in
            let job = try await JobService(db: db, userID: userID, engine: engine).lockedJob(jobID)
            guard expecting(job) else { throw JobConflict(current: job) }
            try await job.delete(on: db)
        }
    }
}

/// A conditional change found the job changed since the caller read it; nothing was written.
struct JobConflict: Error {
    let current: SyncJob
}
