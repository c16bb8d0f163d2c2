import Foundation

/// Runs one claimed run to its end: the seam between the scheduler and the sync engines.
protocol RunExecutor: Sendable {
    /// Runs it, writing the log through `log`. Must return promptly after the task is cancelled (the run was
    /// cancelled, its lease lost, or the process is shutting down); the scheduler decides what that means.
    func execute(_ run: RunContext, log: RunLogWriter) async -> RunOutcome
}

/// What an executor is told about the run.
struct RunContext: Sendable {
    let runID: UUID
    let jobID: UUID
    let mode: JobRun.Mode
    let trigger: JobRun.Trigger
    let attempt: Int
    let timeout: TimeInterval
    /// What the run's writes to Syncboard's storage go through (`RunFence`).
    let fence: RunFence

    init(runID: UUID, jobID: UUID, mode: JobRun.Mode, trigger: JobRun.Trigger, attempt: Int, timeout: TimeInterval) {
        self.runID = runID
        self.jobID = jobID
        self.mode = mode
        self.trigger = trigger
        self.attempt = attempt
        self.timeout = timeout
        self.fence = RunFence(runID: runID)
    }
}

/// How a run ended, as the executor saw it.
struct RunOutcome: Sendable, Equatable {
    var status: JobRun.Status
    var engine: RunEngine
    var created: Int?
    var updated: Int?
    var deleted: Int?
    var exitCode: Int?
    /// The first meaningful error line, for the dashboard (never a secret).
    var errorSummary: String?
    var failureClass: JobRun.FailureClass?
    var reconnectAccountID: UUID?
    /// Built-in engine sync runs: "incremental" or "full", and why a full reconciliation ran.
    var syncKind: SyncKind? = nil
    var syncReason: String? = nil
    /// A job with several directions: each one's result.
    var legs: [RunLeg]? = nil

    static func succeeded(engine: RunEngine, created: Int? = nil, updated: Int? = nil, deleted: Int? = nil) -> RunOutcome {
        RunOutcome(status: .succeeded, engine: engine, created: created, updated: updated, deleted: deleted)
    }

    static func failed(engine: RunEngine, _ summary: String, class failureClass: JobRun.FailureClass) -> RunOutcome {
        RunOutcome(status: .failed, engine: engine, errorSummary: summary, failureClass: failureClass)
    }
}
