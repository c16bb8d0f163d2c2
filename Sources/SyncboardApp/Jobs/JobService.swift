import Fluent
import Foundation
import SyncboardCore

/// Creating, changing, duplicating and deleting jobs, always within one user's own calendars and jobs.
/// Validation happens here (with the core's rules) so the form and the API refuse the same things.
struct JobService {
    let db: any Database
    let userID: UUID
    /// The installation's engine (SYNCBOARD_ENGINE): with the CalendarSync CLI only, built-in-only rules are refused.
    var engine: AppConfiguration.EngineChoice = .auto

    /// The user's calendars, by Syncboard id (another user's calendar is simply unknown here).
    func calendars() async throws -> [UUID: LinkedCalendar] {
        let accounts = try await GoogleAccount.query(on: db).filter(\.$user.$id == userID).all(\.$id)
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
            calendars[id].map { SyncJobSpec.CalendarFacts(exists: true, writable: $0.isWritable, removed: $0.removedAt != nil, summary: $0.summary) }
        }
        errors += EngineRouting.problems(with: normalised, engine: engine)
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
        job.nextRunAt = Self.firstRun(of: job, now: now)
        try await job.create(on: db)
        return Saved(job: job, warning: warning)
    }

    func update(_ job: SyncJob, with input: SyncJobSpec, now: Date = Date()) async throws -> Saved {
        let (spec, warning) = try await validate(input, excluding: job.id)
        job.apply(spec)
        if job.enabled {
            job.nextRunAt = Self.firstRun(of: job, now: now)
            job.statusReason = nil
        }
        try await job.save(on: db)
        return Saved(job: job, warning: warning)
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
        copy.enabled = false
        copy.statusReason = "A copy: review it, then resume it."
        try await copy.create(on: db)
        return copy
    }

    func delete(_ job: SyncJob) async throws {
        try await job.delete(on: db)
    }
}
