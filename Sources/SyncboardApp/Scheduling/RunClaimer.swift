import Fluent
import Foundation
import SQLKit
import Tracing

/// Claims work for one worker in one short transaction: queued runs (manual, retries) whose time has come, then
/// enabled jobs whose `next_run_at` has passed. Each claimed run gets this worker's id and a lease.
///
/// On PostgreSQL, claimers in any number of processes claim side by side: `FOR UPDATE SKIP LOCKED` keeps rows that
/// another claim is taking out of each one's picture, a locked row is judged again on its newest version, and the
/// partial unique index `uq_job_runs_one_active` refuses a second active run of a job whatever happens. Only the
/// rules that count across rows need one picture for everyone: with a global cap or with an account's runs taking
/// turns (both off by default), the transaction first takes an advisory lock, and claims take turns, exactly as
/// those rules need. On SQLite the single process serialises claims (`Scheduler` is an actor).
struct RunClaimer {
    let db: any Database
    let isPostgres: Bool
    let workerID: String
    let settings: SchedulerSettings
    /// The job's next run strictly after the given time, from its cadence (nil: no further run).
    let nextRun: @Sendable (SyncJob, Date) -> Date?

    struct Claimed: Sendable {
        let runID: UUID
        let jobID: UUID
        let trigger: JobRun.Trigger
        let mode: JobRun.Mode
        let scheduledFor: Date?
        let claimedAt: Date
    }

    /// Whether claims must take turns: a count across rows (the global cap, an account's busy runs) is only exact
    /// when no other claim changes it meanwhile.
    var needsOnePicture: Bool { settings.globalConcurrency != nil || !settings.allowConcurrentRunsPerAccount }

    static let claimLockKey: Int64 = 0x5359_4E43_434C_4149 & 0x7FFF_FFFF_FFFF_FFFF

    func claim(limit: Int, now: Date = Date()) async throws -> [Claimed] {
        guard limit > 0 else { return [] }
        let start = DefaultTracerClock.now
        let claimed = try await claimInTransaction(limit: limit, now: now)
        RunTraces.shared.claimed(claimed.map(\.runID), start: start, end: DefaultTracerClock.now)  // the run's trace starts here
        if !claimed.isEmpty { DataGeneration.bump() }
        return claimed
    }

    private func claimInTransaction(limit: Int, now: Date) async throws -> [Claimed] {
        try await db.transaction { db in
            let sql = db.sql()
            if isPostgres && needsOnePicture {
                try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: Self.claimLockKey))").run()
            }
            var room = limit
            if let cap = settings.globalConcurrency {
                let running = try await JobRun.query(on: db).filter(\.$status == .running).count()
                room = min(room, cap - running)
            }
            guard room > 0 else { return [] }
            var busyAccounts = settings.allowConcurrentRunsPerAccount ? Set<UUID>() : try await runningAccounts(sql)
            let lease = now.addingTimeInterval(settings.leaseDuration)
            var claimed: [Claimed] = []

            // 1. Queued runs (run now, retries) whose time has come.
            for candidate in try await queuedCandidates(sql, now: now, limit: room * 4) where claimed.count < room {
                guard takeAccounts(candidate.accounts, busy: &busyAccounts) else { continue }
                guard let run = try await JobRun.find(candidate.runID, on: db), run.status == .queued else { continue }
                run.status = .running
                run.startedAt = now
                run.workerID = workerID
                run.leaseExpiresAt = lease
                try await run.save(on: db)
                claimed.append(Claimed(runID: candidate.runID, jobID: candidate.jobID, trigger: run.trigger, mode: run.mode,
                                       scheduledFor: run.scheduledFor, claimedAt: now))
            }

            // 2. Due jobs without an active run: their runs made in one statement, their next times set in another
            // (a wave of pushed jobs is claimed in two writes, not two per job).
            let due = try await dueCandidates(sql, now: now, room: room - claimed.count)
            guard !due.isEmpty else { return claimed }
            let jobs = try await SyncJob.query(on: db).filter(\.$id ~~ due.map(\.jobID)).all()
            let jobsByID = Dictionary(uniqueKeysWithValues: jobs.compactMap { job in job.id.map { ($0, job) } })
            var planned: [PlannedRun] = []
            for candidate in due where claimed.count + planned.count < room {
                guard let job = jobsByID[candidate.jobID], let scheduled = job.nextRunAt else { continue }
                guard takeAccounts(candidate.accounts, busy: &busyAccounts) else { continue }
                // A catch-up: the slot after the one being run is already past, so at least one run was missed.
                let following = nextRun(job, scheduled)
                let isCatchUp = following.map { $0 <= now } ?? false
                // Missed slots are not replayed: the schedule continues from now.
                planned.append(PlannedRun(runID: UUID(), jobID: candidate.jobID, trigger: isCatchUp ? .catchUp : .scheduled,
                                          scheduledFor: scheduled, nextRunAt: nextRun(job, max(now, scheduled))))
            }
            let made = try await insertRuns(planned, sql: sql, lease: lease, now: now)
            let started = planned.filter { made.contains($0.runID) }
            try await advanceJobs(started, sql: sql, now: now)
            return claimed + started.map {
                Claimed(runID: $0.runID, jobID: $0.jobID, trigger: $0.trigger, mode: .sync, scheduledFor: $0.scheduledFor, claimedAt: now)
            }
        }
    }

    /// A due job's run, decided but not yet written.
    private struct PlannedRun {
        let runID: UUID
        let jobID: UUID
        let trigger: JobRun.Trigger
        let scheduledFor: Date
        let nextRunAt: Date?
    }

    /// Inserts the runs, already running under this worker's lease, in one statement. A job that gained an active
    /// run since it was read (another claimer took its queued run) keeps that one: the one-active-run index turns
    /// the insert of its second into nothing, so one conflict never fails the whole claim. Answers the runs made.
    private func insertRuns(_ runs: [PlannedRun], sql: any SQLDatabase, lease: Date, now: Date) async throws -> Set<UUID> {
        guard !runs.isEmpty else { return [] }
        let rows = runs.map { run -> SQLQueryString in
            "(\(bind: run.runID), \(bind: run.jobID), \(bind: run.trigger.rawValue), \(bind: JobRun.Mode.sync.rawValue), \(bind: JobRun.Status.running.rawValue), 1, \(bind: run.scheduledFor), \(bind: now), \(bind: now), \(bind: workerID), \(bind: lease), \(bind: false), 0, 0)"
        }
        let inserted = try await sql.raw("""
            INSERT INTO job_runs (id, job_id, trigger, mode, status, attempt, scheduled_for, queued_at, started_at, worker_id,
                                  lease_expires_at, cancel_requested, log_line_count, log_dropped_count)
            VALUES \(rows.joined(separator: ", "))
            ON CONFLICT DO NOTHING
            RETURNING id
            """).all()
        return Set(try inserted.map { try $0.decode(column: "id", as: UUID.self) })
    }

    /// Moves each started job's next run on (and forgets the push that made it due), in one statement.
    private func advanceJobs(_ runs: [PlannedRun], sql: any SQLDatabase, now: Date) async throws {
        guard !runs.isEmpty else { return }
        let cases = runs.map { run -> SQLQueryString in "WHEN \(bind: run.jobID) THEN \(bind: run.nextRunAt)" }
        let ids = SQLGroupExpression(runs.map { SQLBind($0.jobID) as any SQLExpression })
        try await sql.raw("""
            UPDATE sync_jobs SET next_run_at = CASE id \(cases.joined(separator: " ")) END, pushed_at = NULL, updated_at = \(bind: now)
            WHERE id IN \(ids)
            """).run()
    }

    /// Due jobs that are enabled but not yet claimed (for the metrics gauge).
    static func unclaimedDueCount(on db: any Database, now: Date = Date()) async throws -> Int {
        let row = try await db.sql().raw("""
            SELECT COUNT(*) AS n FROM sync_jobs j
            WHERE j.enabled = \(bind: true) AND j.next_run_at <= \(bind: now)
              AND NOT EXISTS (SELECT 1 FROM job_runs r WHERE r.job_id = j.id AND r.status IN ('queued', 'running'))
            """).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    // MARK: - Candidate queries

    private struct Candidate {
        let runID: UUID
        let jobID: UUID
        let accounts: Set<UUID>
    }

    private var lockClause: SQLQueryString {
        isPostgres ? "FOR UPDATE OF j SKIP LOCKED" : ""
    }

    private func queuedCandidates(_ sql: any SQLDatabase, now: Date, limit: Int) async throws -> [Candidate] {
        let rows = try await sql.raw("""
            SELECT r.id AS run_id, r.job_id AS job_id, sc.account_id AS source_account, dc.account_id AS destination_account
            FROM job_runs r
            JOIN sync_jobs j ON j.id = r.job_id
            LEFT JOIN calendars sc ON sc.id = j.source_calendar_id
            LEFT JOIN calendars dc ON dc.id = j.destination_calendar_id
            WHERE r.status = 'queued' AND (r.scheduled_for IS NULL OR r.scheduled_for <= \(bind: now))
            ORDER BY r.queued_at
            LIMIT \(bind: limit)
            \(isPostgres ? "FOR UPDATE OF r SKIP LOCKED" as SQLQueryString : "")
            """).all()
        return try rows.map { row in
            Candidate(runID: try row.decode(column: "run_id", as: UUID.self), jobID: try row.decode(column: "job_id", as: UUID.self),
                      accounts: try Self.accounts(row))
        }
    }

    /// Due jobs in the order they should run: those a push notification made due first (someone is waiting for
    /// them), then by turns between people (each person's longest-due job, then each one's second, …), so that many
    /// due jobs of one person never starve another's; within a turn the longest-due first. The order is decided
    /// without locks (PostgreSQL allows no window function with FOR UPDATE); the chosen rows are then locked,
    /// skipping any that another transaction holds.
    ///
    /// How many: with an account's runs taking turns some candidates are passed over, so four times the room is
    /// read (under the shared lock, nothing else is claiming). Without it every candidate is taken, and claimers in
    /// other processes are choosing at the same moment from the same ordering: each locks just its room's worth,
    /// skipping what another has locked, out of twice that many, so two claims at once take different jobs instead
    /// of one taking everything it read and the other nothing.
    private func dueCandidates(_ sql: any SQLDatabase, now: Date, room: Int) async throws -> [Candidate] {
        guard room > 0 else { return [] }
        let limit = room * (settings.allowConcurrentRunsPerAccount ? 2 : 4)
        guard isPostgres else { return try await dueCandidatesInOneRead(sql, now: now, limit: limit) }
        let ordered = try await sql.raw("""
            SELECT id FROM (
              SELECT j.id, j.pushed_at, j.next_run_at,
                     ROW_NUMBER() OVER (PARTITION BY j.user_id ORDER BY (j.pushed_at IS NULL), j.next_run_at) AS turn
              FROM sync_jobs j
              WHERE j.enabled = \(bind: true) AND j.next_run_at <= \(bind: now)
                AND NOT EXISTS (SELECT 1 FROM job_runs r WHERE r.job_id = j.id AND r.status IN ('queued', 'running'))
            ) due
            ORDER BY (pushed_at IS NULL), turn, next_run_at
            LIMIT \(bind: limit)
            """).all().map { try $0.decode(column: "id", as: UUID.self) }
        guard !ordered.isEmpty else { return [] }
        // Judged again as the rows are locked (PostgreSQL re-reads a locked row's newest version): a job disabled or
        // rescheduled since the ordering query read it is not run.
        let ids = ordered.map { SQLBind($0) as any SQLExpression }
        let inOrder = ordered.map { "\(bind: $0)" as SQLQueryString }.joined(separator: ", ")
        let lockedRows: SQLQueryString = settings.allowConcurrentRunsPerAccount
            ? "ORDER BY array_position(ARRAY[\(inOrder)]::uuid[], j.id) LIMIT \(bind: room)" : ""
        let rows = try await sql.raw("""
            SELECT j.id AS job_id, sc.account_id AS source_account, dc.account_id AS destination_account
            FROM sync_jobs j
            LEFT JOIN calendars sc ON sc.id = j.source_calendar_id
            LEFT JOIN calendars dc ON dc.id = j.destination_calendar_id
            WHERE j.id IN \(SQLGroupExpression(ids))
              AND j.enabled = \(bind: true) AND j.next_run_at <= \(bind: now)
            \(lockedRows)
            \(lockClause)
            """).all()
        let candidates = try Dictionary(rows.map { row in
            let jobID = try row.decode(column: "job_id", as: UUID.self)
            return (jobID, Candidate(runID: jobID, jobID: jobID, accounts: try Self.accounts(row)))
        }, uniquingKeysWith: { first, _ in first })
        return ordered.compactMap { candidates[$0] }
    }

    /// SQLite: the ordering and the accounts in one statement. Nothing needs locking there: the claim's transaction
    /// (`BEGIN IMMEDIATE`) holds the database's write lock from its start, so nothing changes between read and write.
    private func dueCandidatesInOneRead(_ sql: any SQLDatabase, now: Date, limit: Int) async throws -> [Candidate] {
        try await sql.raw("""
            SELECT due.id AS job_id, sc.account_id AS source_account, dc.account_id AS destination_account FROM (
              SELECT j.id, j.pushed_at, j.next_run_at, j.source_calendar_id, j.destination_calendar_id,
                     ROW_NUMBER() OVER (PARTITION BY j.user_id ORDER BY (j.pushed_at IS NULL), j.next_run_at) AS turn
              FROM sync_jobs j
              WHERE j.enabled = \(bind: true) AND j.next_run_at <= \(bind: now)
                AND NOT EXISTS (SELECT 1 FROM job_runs r WHERE r.job_id = j.id AND r.status IN ('queued', 'running'))
            ) due
            LEFT JOIN calendars sc ON sc.id = due.source_calendar_id
            LEFT JOIN calendars dc ON dc.id = due.destination_calendar_id
            ORDER BY (due.pushed_at IS NULL), due.turn, due.next_run_at
            LIMIT \(bind: limit)
            """).all().map { row in
            let jobID = try row.decode(column: "job_id", as: UUID.self)
            return Candidate(runID: jobID, jobID: jobID, accounts: try Self.accounts(row))
        }
    }

    private func runningAccounts(_ sql: any SQLDatabase) async throws -> Set<UUID> {
        let rows = try await sql.raw("""
            SELECT sc.account_id AS source_account, dc.account_id AS destination_account
            FROM job_runs r
            JOIN sync_jobs j ON j.id = r.job_id
            LEFT JOIN calendars sc ON sc.id = j.source_calendar_id
            LEFT JOIN calendars dc ON dc.id = j.destination_calendar_id
            WHERE r.status = 'running'
            """).all()
        return try rows.reduce(into: Set<UUID>()) { $0.formUnion(try Self.accounts($1)) }
    }

    private static func accounts(_ row: any SQLRow) throws -> Set<UUID> {
        Set([try row.decodeNil(column: "source_account") ? nil : try row.decode(column: "source_account", as: UUID.self),
             try row.decodeNil(column: "destination_account") ? nil : try row.decode(column: "destination_account", as: UUID.self)]
            .compactMap { $0 })
    }

    /// Reserves the run's accounts unless another run holds one of them.
    private func takeAccounts(_ accounts: Set<UUID>, busy: inout Set<UUID>) -> Bool {
        if settings.allowConcurrentRunsPerAccount { return true }
        guard busy.isDisjoint(with: accounts) else { return false }
        busy.formUnion(accounts)
        return true
    }
}
