import Fluent
import Foundation
import PostgresKit
import ServiceLifecycle
import Vapor

/// The services of a process that runs a scheduler (`worker`, or `serve` unless turned off): the heartbeat /readyz
/// reads, and the loops that stop together (`StoppedTogether`): the scheduler, the notification worker, the push
/// channel keeper (when Google is configured) and, on PostgreSQL, the wake-up listener. The heartbeat stops last, once
/// the scheduler has recorded its runs, so the process reports in for as long as it still has runs.
struct SchedulerHost {
    let app: Application
    let role: String

    func makeServices() throws -> (heartbeat: HeartbeatService, loops: [any Service]) {
        let workerID = HeartbeatService.newWorkerID()
        let (scheduler, keeper) = try makeScheduler(workerID: workerID)
        let settings = app.syncboard.configuration.scheduler
        let heartbeat = HeartbeatService(app: app, role: role, workerID: workerID, activeRuns: { await scheduler.activeRunCount })
        var loops: [any Service] = [
            SchedulerService(scheduler: scheduler, stopLimit: settings.shutdownGracePeriod + settings.shutdownRecordTime),
            // Outbox and account checks (issue 15): a delivery under way gets as long as the runs do, and no longer.
            NotificationService(app: app, workerID: workerID, stopLimit: settings.shutdownGracePeriod + settings.shutdownRecordTime),
        ]
        if let keeper { loops.append(ChannelKeeperService(keeper: keeper)) }
        if case .postgres(let configuration, _) = app.syncboard.configuration.database {
            loops.append(WakeListenerService(configuration: configuration, wakeups: app.syncboard.wakeups, logger: app.logger))
        }
        return (heartbeat, loops)
    }

    /// The process's scheduler and, when Google is configured, its channel keeper, told of each run's end.
    func makeScheduler(workerID: String) throws -> (Scheduler, ChannelKeeper?) {
        let services = app.syncboard
        guard let executor = services.runExecutor else {
            throw Abort(.internalServerError, reason: "no run executor is configured")
        }
        let keeper = ChannelKeeperHost.make(app: app, workerID: workerID)
        var afterRun: (@Sendable (UUID) async -> Void)?
        if let keeper { afterRun = { jobID in await keeper.runFinished(jobID: jobID) } }
        let scheduler = Scheduler(
            db: app.db, isPostgres: services.configuration.database.isPostgres, settings: services.configuration.scheduler,
            workerID: workerID, executor: executor, nextRun: services.nextRun, logger: app.logger,
            wake: services.wakeups.scheduler, afterRun: afterRun)
        return (scheduler, keeper)
    }
}

/// The scheduler as a service: polls and claims until graceful shutdown; then stops claiming at once, waits for a
/// claim under way, gives active runs the grace period and stops (and marks interrupted) the rest
/// (`Scheduler.shutdown`, which bounds itself). A poll stuck on the database is waited for no longer than that.
struct SchedulerService: Service {
    let scheduler: Scheduler
    let stopLimit: Duration

    func run() async {
        await runLoopUntilShutdown("the scheduler's polling", stopWaitingAfter: stopLimit,
                                   loop: { [scheduler] in await scheduler.run() },
                                   whileStopping: { [scheduler] in await scheduler.shutdown() })
    }
}

/// The push channel keeper as a service. At shutdown its round is cancelled; one stuck on the database is left
/// behind after a moment (a channel left half-done is put right by whoever next holds its lease).
struct ChannelKeeperService: Service {
    let keeper: ChannelKeeper

    func run() async {
        await runLoopUntilShutdown("the push channel keeper", stopWaitingAfter: .seconds(2), loop: { [keeper] in await keeper.run() })
    }
}

/// On PostgreSQL, listens for other processes' wake-ups (`WakeBroadcast`) until graceful shutdown.
struct WakeListenerService: Service {
    let configuration: SQLPostgresConfiguration
    let wakeups: Wakeups
    let logger: Logger

    func run() async {
        await runLoopUntilShutdown("the wake-up listener", stopWaitingAfter: .seconds(2), loop: { [configuration, wakeups, logger] in
            await WakeBroadcast.listen(configuration: configuration, wakeups: wakeups, logger: logger)
        })
    }
}
