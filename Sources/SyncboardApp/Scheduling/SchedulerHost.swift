import Fluent
import Foundation
import ServiceLifecycle
import Vapor

/// Runs a `Scheduler` (and the heartbeat /readyz reads) inside `serve` or `worker`.
struct SchedulerHost {
    let app: Application
    let role: String

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

    /// On PostgreSQL, listens for other processes' wake-ups until cancelled (`WakeBroadcast`); nil on SQLite.
    func startWakeListener() -> Task<Void, Never>? {
        guard case .postgres(let configuration, _) = app.syncboard.configuration.database else { return nil }
        let (wakeups, logger) = (app.syncboard.wakeups, app.logger)
        return Task { await WakeBroadcast.listen(configuration: configuration, wakeups: wakeups, logger: logger) }
    }
}

/// A process's scheduler (`worker`, or `serve` unless turned off) as a swift-service-lifecycle service: SIGTERM/SIGINT
/// start a graceful shutdown.
struct SchedulerService: Service {
    let app: Application
    let heartbeat: HeartbeatService

    func run() async throws {
        let host = SchedulerHost(app: app, role: heartbeat.role)
        let (scheduler, keeper) = try host.makeScheduler(workerID: heartbeat.workerID)
        let loop = Task { [app, workerID = heartbeat.workerID] in
            let notifications = NotificationWorker.start(app: app, workerID: workerID)  // outbox and account checks (issue 15)
            await scheduler.run()
            notifications.cancel()
            await notifications.value
        }
        let beats = Task { await heartbeat.beatUntilCancelled(activeRuns: { await scheduler.activeRunCount }) }
        let channels = keeper.map { keeper in Task { await keeper.run() } }
        let listener = host.startWakeListener()
        try? await gracefulShutdown()
        channels?.cancel()
        listener?.cancel()
        loop.cancel()
        // Lets the notification worker finish a delivery under way, for as long as the runs get and no longer: with
        // the database gone it could wait on it for a long time, and a stopping worker must not (issue 21).
        let settings = app.syncboard.configuration.scheduler
        async let loopEnded: Void? = try? await withinDeadline(
            settings.shutdownGracePeriod + settings.shutdownRecordTime, "finishing the notification round") { await loop.value }
        await scheduler.shutdown()
        _ = await loopEnded
        beats.cancel()
        await beats.value
    }
}
