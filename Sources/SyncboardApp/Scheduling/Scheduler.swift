import Fluent
import Foundation
import Logging
import Metrics

/// Claims due work and runs it, up to the configured concurrency, for as long as the process lives.
///
/// One scheduler runs in `serve` (unless turned off) and in each `worker`. It polls, and is woken between polls
/// (`wake`) when a run of its own ends (a slot is free) or when this process makes a job due; each tick recovers
/// runs whose worker died, claims what it has room for (see `RunClaimer`), and starts each run in a task of its own
/// that keeps the lease fresh, notices a cancel request, and records the outcome.
actor Scheduler {
    enum StopReason: Sendable { case cancelledByUser, shutdown, leaseLost }

    let workerID: String
    private let db: any Database
    private let isPostgres: Bool
    private let settings: SchedulerSettings
    private let executor: any RunExecutor
    private let nextRun: @Sendable (SyncJob, Date) -> Date?
    private let logger: Logger
    private var active: [UUID: Task<Void, Never>] = [:]
    /// The engine's part of each active run (what cancelling stops).
    private var work: [UUID: Task<RunOutcome, Never>] = [:]
    private var stopReasons: [UUID: StopReason] = [:]
    private var claiming = true
    /// Set once the shutdown grace period is over: runs still going are stopped, and late claims are stopped at once.
    private var stopping = false
    /// A claim's transaction is under way: shutdown waits for it, so a run it claims is started (and stopped) here
    /// rather than left "running" by a process that has gone.
    private var claimUnderWay = false
    private var lastHousekeeping = Date.distantPast
    /// Ends the wait between two polls early.
    let wake: WakeSignal
    /// Told of every run this scheduler recorded (the channel keeper opens a new real-time job's channel at once).
    private let afterRun: (@Sendable (_ jobID: UUID) async -> Void)?

    init(db: any Database, isPostgres: Bool, settings: SchedulerSettings, workerID: String,
         executor: any RunExecutor, nextRun: @escaping @Sendable (SyncJob, Date) -> Date?, logger: Logger,
         wake: WakeSignal = WakeSignal(), afterRun: (@Sendable (_ jobID: UUID) async -> Void)? = nil) {
        self.wake = wake
        self.afterRun = afterRun
        self.db = db
        self.isPostgres = isPostgres
        self.settings = settings
        self.workerID = workerID
        self.executor = executor
        self.nextRun = nextRun
        self.logger = logger
    }

    var activeRunCount: Int { active.count }

    /// Polls until the surrounding task is cancelled; then stops gracefully.
    func run() async {
        logger.notice("scheduler started", metadata: ["worker_id": .string(workerID), "concurrency": .stringConvertible(settings.workerConcurrency)])
        while !Task.isCancelled && claiming {
            await tick()
            await wake.wait(upTo: settings.pollInterval)
        }
    }

    /// One round: housekeeping (at most every few seconds), then claim and start what fits.
    func tick(now: Date = Date()) async {
        do {
            if now.timeIntervalSince(lastHousekeeping) > 5 {
                lastHousekeeping = now
                let reaped = try await RunReaper(db: db).reap(now: now)
                if reaped > 0 { logger.warning("recovered runs of workers that stopped responding", metadata: ["count": .stringConvertible(reaped)]) }
                try await RunRetention(db: db, keep: settings.runsKeptPerJob).prune()
                Gauge(label: "syncboard_due_jobs_unclaimed").record(try await RunClaimer.unclaimedDueCount(on: db, now: now))
            }
            guard claiming else { return }
            let room = settings.workerConcurrency - active.count
            let claimer = RunClaimer(db: db, isPostgres: isPostgres, workerID: workerID, settings: settings, nextRun: nextRun)
            claimUnderWay = true
            defer { claimUnderWay = false }
            for claimed in try await claimer.claim(limit: room, now: now) {
                if let scheduled = claimed.scheduledFor {
                    Timer(label: "syncboard_scheduler_lag_seconds")
                        .recordNanoseconds(Int64(max(0, claimed.claimedAt.timeIntervalSince(scheduled)) * 1e9))
                }
                start(claimed)
            }
        } catch {
            logger.error("scheduler tick failed", metadata: ["error": .string(DatabaseErrorDescription.describe(error))])
        }
    }

    private func start(_ claimed: RunClaimer.Claimed) {
        let runID = claimed.runID
        let context = RunContext(runID: runID, jobID: claimed.jobID, mode: claimed.mode, trigger: claimed.trigger,
                                 attempt: 1, timeout: settings.runTimeout)
        logger.info("run started", metadata: ["run_id": .string(runID.uuidString), "job_id": .string(claimed.jobID.uuidString),
                                              "trigger": .string(claimed.trigger.rawValue)])
        active[runID] = Task { [db, executor, settings, workerID] in
            let log = RunLogWriter(runID: runID, db: db)
            // Lines reach the database (and the live run page) within half a second even when output is sparse.
            let flusher = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(500))
                    await log.flush()
                }
            }
            defer { flusher.cancel() }
            let work = Task { await executor.execute(context, log: log) }
            self.work[runID] = work
            if self.stopping {
                self.stopReasons[runID] = .shutdown
                work.cancel()
            }
            let keeper = Task { await self.keepLease(runID: runID, work: work) }
            var outcome = await work.value
            keeper.cancel()
            switch self.stopReason(runID) {
            case .leaseLost?:
                self.finished(runID)
                return
            case .shutdown?:
                outcome.status = .interrupted
                outcome.errorSummary = "Stopped because Syncboard was shutting down; it will run again on schedule."
                outcome.failureClass = nil
            case .cancelledByUser?:
                outcome.status = .cancelled
                outcome.errorSummary = "Cancelled by a user."
                outcome.failureClass = nil
            case nil:
                break
            }
            // Bounded: a database that went away must not hold the run (and its slot, and a stopping process) forever.
            // A run left unrecorded keeps its lease until it expires; then it is recovered, as after a crash.
            let finalOutcome = outcome
            do {
                let recorded = try await withinDeadline(settings.recordTimeout, "recording the run's outcome") {
                    let written = await log.finish()
                    return try await RunRecorder(db: db, workerID: workerID, settings: settings)
                        .finish(runID: runID, outcome: finalOutcome, log: written)
                }
                if !recorded { self.log(.warning, "run was taken over before it finished", runID) }
            } catch {
                self.log(.error, "could not record the run's outcome (it is recovered when its lease expires): \(DatabaseErrorDescription.describe(error))", runID)
            }
            self.finished(runID)
            await self.afterRun?(claimed.jobID)
        }
    }

    /// Renews the lease while the run works; stops it when a user cancels it or the lease is lost.
    private func keepLease(runID: UUID, work: Task<RunOutcome, Never>) async {
        let interval = min(settings.leaseDuration / 3, 2)
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(interval))
            if Task.isCancelled { return }
            do {
                guard let run = try await JobRun.find(runID, on: db), run.status == .running, run.workerID == workerID else {
                    stopReasons[runID] = .leaseLost
                    work.cancel()
                    return
                }
                if run.cancelRequested {
                    stopReasons[runID] = stopReasons[runID] ?? .cancelledByUser
                    work.cancel()
                }
                run.leaseExpiresAt = Date().addingTimeInterval(settings.leaseDuration)
                try await run.save(on: db)
            } catch {
                log(.warning, "lease renewal failed: \(DatabaseErrorDescription.describe(error))", runID)
            }
        }
    }

    private func stopReason(_ runID: UUID) -> StopReason? { stopReasons[runID] }

    private func finished(_ runID: UUID) {
        active[runID] = nil
        work[runID] = nil
        stopReasons[runID] = nil
        wake.signal()  // a slot is free: claim the next due run now, not at the next poll
    }

    private func log(_ level: Logger.Level, _ message: String, _ runID: UUID) {
        logger.log(level: level, "\(message)", metadata: ["run_id": .string(runID.uuidString)])
    }

    /// Stops claiming at once, lets active runs finish within the grace period, then stops the rest (marked
    /// interrupted) and gives them `shutdownRecordTime` to record that. It never waits longer, whatever the database
    /// does: runs still unrecorded then keep their leases until they expire and are recovered, as after a crash.
    func shutdown() async {
        claiming = false
        let graceEnds = ContinuousClock.now + settings.shutdownGracePeriod
        while claimUnderWay && ContinuousClock.now < graceEnds {
            do { try await Task.sleep(for: .milliseconds(20)) } catch { break }
        }
        await waitForActiveRuns(until: graceEnds)
        stopping = true  // from here on, a claim that was already under way starts nothing
        if !active.isEmpty {
            logger.warning("stopping runs that outlasted the shutdown grace period", metadata: ["count": .stringConvertible(active.count)])
            for runID in active.keys {
                stopReasons[runID] = .shutdown
                work[runID]?.cancel()
            }
            await waitForActiveRuns(until: ContinuousClock.now + settings.shutdownRecordTime)
        }
        if !active.isEmpty {
            logger.warning("stopping without recording some runs; they are recovered when their leases expire",
                           metadata: ["count": .stringConvertible(active.count)])
        }
        logger.notice("scheduler stopped", metadata: ["worker_id": .string(workerID)])
    }

    /// Polls rather than awaiting the run tasks: one stuck in a database call must not stretch the wait.
    private func waitForActiveRuns(until deadline: ContinuousClock.Instant) async {
        while !active.isEmpty && ContinuousClock.now < deadline {
            do { try await Task.sleep(for: .milliseconds(50)) } catch { return }  // cancelled: stop waiting
        }
    }
}
