import Fluent
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
                // A group's members are all sources, so the match is made on each job's sources, not on a column.
                let jobs = try await SyncJob.query(on: db).filter(\.$enabled == true).all().filter { !$0.sourceCalendarIDs.isDisjoint(with: calendars) }
                // One transaction for the whole wave: on SQLite one commit instead of one per job.
                try await db.transaction { db in
                    for job in jobs where job.cadence.isRealtime && job.pushedAt == nil {
                        job.nextRunAt = min(job.nextRunAt ?? now, now)
                        job.pushedAt = now  // claimed before merely scheduled runs
                        try await job.save(on: db)
                    }
                }
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
}
