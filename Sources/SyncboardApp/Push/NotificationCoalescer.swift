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
    private var flushing: Task<Void, Never>?
    /// Wakes the schedulers once jobs are due, so they are claimed now rather than at their next poll.
    private let wakeups: Wakeups?

    init(db: any Database, debounce: Duration, logger: Logger, wakeups: Wakeups? = nil) {
        self.wakeups = wakeups
        self.db = db
        self.debounce = debounce
        self.logger = logger
    }

    /// A change on this calendar was announced.
    func note(calendarID: UUID) {
        pending.insert(calendarID)
        guard flushing == nil else { return }
        flushing = Task {
            try? await Task.sleep(for: debounce)
            await flush()
        }
    }

    /// Makes the pending calendars' real-time jobs due (also called by tests to skip the wait).
    func flush(now: Date = Date()) async {
        let calendars = pending
        pending.removeAll()
        flushing = nil
        guard !calendars.isEmpty else { return }
        do {
            // A group's members are all sources, so the match is made on each job's sources, not on a column.
            let jobs = try await SyncJob.query(on: db).filter(\.$enabled == true).all().filter { !$0.sourceCalendarIDs.isDisjoint(with: calendars) }
            for job in jobs where job.cadence.isRealtime && job.pushedAt == nil {
                job.nextRunAt = min(job.nextRunAt ?? now, now)
                job.pushedAt = now  // claimed before merely scheduled runs
                try await job.save(on: db)
            }
            DataGeneration.bump()
            wakeups?.runDue()
        } catch {
            logger.error("could not start runs for a push notification", metadata: ["error": .string(DatabaseErrorDescription.describe(error))])
        }
    }
}
