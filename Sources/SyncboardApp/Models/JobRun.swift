import Fluent
import Foundation

/// One run of a job (see `CreateJobRuns`).
final class JobRun: Model, @unchecked Sendable {
    static let schema = "job_runs"

    enum Trigger: String, Codable, Sendable, CaseIterable {
        case scheduled
        /// The first run after downtime in which one or more scheduled runs were missed (they are not replayed).
        case catchUp = "catch_up"
        case manual
        case retry
        /// A job made due again because the worker running it stopped (its lease expired).
        case recovery
    }

    enum Mode: String, Codable, Sendable, CaseIterable {
        case sync
        case dryRun = "dry_run"
        case clean
    }

    enum Status: String, Codable, Sendable, CaseIterable {
        case queued, running, succeeded, failed
        case needsReconnect = "needs_reconnect"
        case timedOut = "timed_out"
        case cancelled
        /// Its worker stopped responding (lease expired); the job was made due again.
        case abandoned
        /// Stopped by a shutdown that outlasted the grace period.
        case interrupted

        static let active: [Status] = [.queued, .running]
        var isFinal: Bool { !Self.active.contains(self) }
    }

    enum FailureClass: String, Codable, Sendable {
        /// Network, Google 5xx, rate limit, timeout: retried with backoff.
        case transient
        /// A Google account must be reconnected.
        case reconnect
        /// The job's configuration must be fixed.
        case configuration
        /// A calendar of the job no longer exists or is no longer accessible.
        case calendarGone = "calendar_gone"
        /// Google refused a write: the destination's account may only read that calendar.
        case writeRefused = "write_refused"

        var needsUser: Bool { self != .transient }
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "job_id") var job: SyncJob
    @Field(key: "trigger") var trigger: Trigger
    @Field(key: "mode") var mode: Mode
    @Field(key: "status") var status: Status
    @OptionalField(key: "engine") var engine: String?
    @Field(key: "attempt") var attempt: Int
    @OptionalField(key: "scheduled_for") var scheduledFor: Date?
    @Field(key: "queued_at") var queuedAt: Date
    @OptionalField(key: "started_at") var startedAt: Date?
    @OptionalField(key: "finished_at") var finishedAt: Date?
    @OptionalField(key: "duration_ms") var durationMilliseconds: Int?
    @OptionalField(key: "exit_code") var exitCode: Int?
    @OptionalField(key: "created_count") var createdCount: Int?
    @OptionalField(key: "updated_count") var updatedCount: Int?
    @OptionalField(key: "deleted_count") var deletedCount: Int?
    @OptionalField(key: "error_summary") var errorSummary: String?
    @OptionalField(key: "failure_class") var failureClass: FailureClass?
    @OptionalField(key: "reconnect_account_id") var reconnectAccountID: UUID?
    @OptionalField(key: "worker_id") var workerID: String?
    @OptionalField(key: "lease_expires_at") var leaseExpiresAt: Date?
    @Field(key: "cancel_requested") var cancelRequested: Bool
    @Field(key: "log_line_count") var logLineCount: Int
    @Field(key: "log_dropped_count") var logDroppedCount: Int
    /// Whether CalendarSync ran in the bubblewrap sandbox; nil when it was not started (or another engine ran).
    @OptionalField(key: "sandboxed") var sandboxed: Bool?
    /// Built-in engine sync runs: "incremental" or "full" (`AddJobRunSyncKind`), and why a full one ran.
    @OptionalField(key: "sync_kind") var syncKind: SyncKind?
    @OptionalField(key: "sync_reason") var syncReason: String?
    /// A job with several directions: each one's result (`RunLeg`); nil for a one-to-one job.
    @OptionalField(key: "legs") var storedLegs: StoredLegs?

    var legs: [RunLeg] { storedLegs?.legs ?? [] }

    init() {}

    init(jobID: UUID, trigger: Trigger, mode: Mode, status: Status, attempt: Int = 1, scheduledFor: Date?, queuedAt: Date) {
        self.$job.id = jobID
        self.trigger = trigger
        self.mode = mode
        self.status = status
        self.attempt = attempt
        self.scheduledFor = scheduledFor
        self.queuedAt = queuedAt
        self.cancelRequested = false
        self.logLineCount = 0
        self.logDroppedCount = 0
    }
}
