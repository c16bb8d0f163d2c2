import Fluent
import Foundation

/// Decides, in the transaction that records a run's outcome, whether the user must hear of it: a failure only they
/// can fix opens an incident at once; transient failures open one when the job has failed `failure_threshold`
/// times in a row; the first success closes what is open and says so. One message per incident, not per run.
struct IncidentTracker {
    let db: any Database
    let now: Date

    func runFinished(_ run: JobRun, job: SyncJob, outcome: RunOutcome) async throws {
        guard run.mode == .sync else { return }  // dry runs and clean-ups say nothing about the job's health
        let jobID = try job.requireID()
        let open = try await Incident.query(on: db).filter(\.$jobID == jobID).filter(\.$closedAt == nil).all()
        switch outcome.status {
        case .succeeded:
            guard !open.isEmpty else { return }
            for incident in open { incident.closedAt = now; try await incident.save(on: db) }
            try await NoticeOutbox(db: db, now: now).post(NoticeText.jobRecovered(job: job, run: run, incidentID: try open[0].requireID()))
        case .queued, .running, .cancelled, .interrupted:
            return
        case .failed, .needsReconnect, .timedOut, .abandoned:
            let failureClass = outcome.failureClass ?? (outcome.status == .needsReconnect ? .reconnect : .transient)
            if failureClass.needsUser {
                if open.contains(where: { $0.kind == .needsUser && $0.failureClass == failureClass }) { return }
                // A different problem replaces the one open (its all-clear would be wrong: the job still fails).
                for incident in open { incident.closedAt = now; try await incident.save(on: db) }
                let account = try await outcome.reconnectAccountID.asyncMap { try await LinkedAccount.find($0, on: db) } ?? nil
                let incident = Incident(userID: job.$user.id, jobID: jobID, accountID: account?.id, kind: .needsUser, failureClass: failureClass,
                                        summary: outcome.errorSummary ?? failureClass.rawValue, openedAt: now, runID: run.id)
                try await incident.create(on: db)
                let grantAge = try await account.asyncMap { try await AccountGrantAge.age(of: $0, on: db, now: now) } ?? nil
                try await NoticeOutbox(db: db, now: now).post(NoticeText.jobNeedsUser(
                    job: job, run: run, incident: incident, failureClass: failureClass, summary: outcome.errorSummary,
                    account: account, grantAge: grantAge))
            } else {
                guard open.isEmpty else { return }
                let preferences = try await NotificationPreferences.of(userID: job.$user.id, on: db)
                guard job.consecutiveFailures >= preferences.failureThreshold else { return }
                // A published calendar that keeps failing is told once, by its own notice (`FeedIncidents`, opened as
                // its fetches failed, at or before this job's count): the jobs that read it add nothing to it.
                if try await readsAFailingFeed(job) { return }
                let incident = Incident(userID: job.$user.id, jobID: jobID, accountID: nil, kind: .keepsFailing, failureClass: .transient,
                                        summary: outcome.errorSummary ?? "failed", openedAt: now, runID: run.id)
                try await incident.create(on: db)
                try await NoticeOutbox(db: db, now: now).post(NoticeText.jobKeepsFailing(
                    job: job, run: run, incident: incident, failures: job.consecutiveFailures, summary: outcome.errorSummary))
            }
        }
    }
}

extension IncidentTracker {
    /// Whether one of the job's sources is a published calendar with an open "keeps failing" incident.
    private func readsAFailingFeed(_ job: SyncJob) async throws -> Bool {
        let sources = Array(job.sourceCalendarIDs)
        guard !sources.isEmpty else { return false }
        let accounts = try await LinkedCalendar.query(on: db).filter(\.$id ~~ sources).all().map { Optional($0.$account.id) }
        guard !accounts.isEmpty else { return false }
        return try await Incident.query(on: db).filter(\.$kind == .feedFailing).filter(\.$accountID ~~ accounts)
            .filter(\.$closedAt == nil).count() > 0
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        switch self {
        case .some(let value): return try await transform(value)
        case .none: return nil
        }
    }
}
