import Fluent
import SQLKit
import Foundation
import Logging
import SyncboardCore

/// Turns a burst of notifications into one run per affected job: the first notification for a calendar waits
/// `debounce`, then every enabled real-time job reading that calendar is made due now. The scheduler claims a due
/// job once (and not while a run of it is active: that job runs again right after), so a burst never queues more.
actor NotificationCoalescer {
    private let db: any Database
    private let debounce: Duration
    private let logger: Logger
    private var pending = Set<UUID>()
    /// Channels that sent a message since the last flush (their `last_message_at` is written then, not per message).
    private var heard = Set<String>()
    private var flushing: Task<Void, Never>?
    /// Wakes the schedulers once jobs are due, so they are claimed now rather than at their next poll.
    private let wakeups: Wakeups?

    init(db: any Database, debounce: Duration, logger: Logger, wakeups: Wakeups? = nil) {
        self.wakeups = wakeups
        self.db = db
        self.debounce = debounce
        self.logger = logger
    }

    /// A message on this channel of this calendar; `startsRuns`: it announces a change (or the channel's opening).
    func note(calendarID: UUID, channelID: String? = nil, startsRuns: Bool = true) {
        if let channelID { heard.insert(channelID) }
        if startsRuns { pending.insert(calendarID) }
        guard flushing == nil else { return }
        flushing = Task {
            try? await Task.sleep(for: debounce)
            await flush()
        }
    }

    /// Makes the pending calendars' real-time jobs due (also called by tests to skip the wait).
    func flush(now: Date = Date()) async {
        let calendars = pending
        let channels = heard
        pending.removeAll()
        heard.removeAll()
        flushing = nil
        do {
            if !calendars.isEmpty {
                try await makeDue(readingAnyOf: calendars, now: now)
                DataGeneration.bump()
                wakeups?.runDue()
            }
            // Last: once a message is recorded as heard, what it started is in place.
            if !channels.isEmpty {
                try await PushChannel.query(on: db).filter(\.$channelID ~~ channels).set(\.$lastMessageAt, to: now).update()
            }
        } catch {
            logger.error("could not start runs for a push notification", metadata: ["error": .string(DatabaseErrorDescription.describe(error))])
        }
    }

    /// Makes every enabled real-time job that reads one of `calendars` due now, in one read and one write: a wave of
    /// notifications across hundreds of jobs must not decode and save each job as a model (on SQLite, every
    /// statement of the process waits for the one connection meanwhile). A group's members are all sources, so the
    /// match is made on each job's calendars, not on one column.
    private func makeDue(readingAnyOf calendars: Set<UUID>, now: Date) async throws {
        let sql = db.sql()
        let rows = try await sql.raw("""
            SELECT id, kind, source_calendar_id, destination_calendar_id, more_calendar_ids, cadence FROM sync_jobs
            WHERE enabled = \(bind: true) AND pushed_at IS NULL
            """).all()
        var due: [UUID] = []
        for row in rows {
            guard try row.decode(column: "cadence", as: Cadence.self).isRealtime else { continue }
            let kind = SyncJobSpec.Kind(rawValue: try row.decode(column: "kind", as: String.self))
            let source = try row.decode(column: "source_calendar_id", as: UUID?.self)
            let destination = try row.decode(column: "destination_calendar_id", as: UUID?.self)
            let more = try row.decode(column: "more_calendar_ids", as: SyncJob.StoredCalendars?.self)?.ids ?? []
            let sources: [UUID] = switch kind {
            case .copy?: (destination != nil || !more.isEmpty) ? [source].compactMap { $0 } : []
            case .group?: [source, destination].compactMap { $0 } + more
            case nil: []
            }
            if sources.contains(where: calendars.contains) { due.append(try row.decode(column: "id", as: UUID.self)) }
        }
        guard !due.isEmpty else { return }
        // Sooner, never later: a job already overdue keeps its time (and its place in the queue).
        try await sql.raw("""
            UPDATE sync_jobs
            SET next_run_at = CASE WHEN next_run_at IS NULL OR next_run_at > \(bind: now) THEN \(bind: now) ELSE next_run_at END,
                pushed_at = \(bind: now), updated_at = \(bind: now)
            WHERE id IN \(SQLGroupExpression(due.map { SQLBind($0) as any SQLExpression })) AND pushed_at IS NULL AND enabled = \(bind: true)
            """).run()
    }
}
