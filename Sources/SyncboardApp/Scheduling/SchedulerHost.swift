import Fluent
import Foundation
import ServiceLifecycle
import Vapor

/// Runs a `Scheduler` (and the heartbeat /readyz reads) inside `serve` or `worker`.
struct SchedulerHost {
    let app: Application
    let role: String

    func makeScheduler(workerID: String) throws -> Scheduler {
        let services = app.syncboard
        guard let executor = services.runExecutor else {
            throw Abort(.internalServerError, reason: "no run executor is configured")
        }
        return Scheduler(
            db: app.db, isPostgres: services.configuration.database.isPostgres, settings: services.configuration.scheduler,
            workerID: workerID, executor: executor, nextRun: services.nextRun, logger: app.logger)
    }
}

/// `serve`'s in-process scheduler, tied to the Vapor application's lifecycle (stops with the server on SIGTERM).
final class SchedulerLifecycle: LifecycleHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var loop: Task<Void, Never>?
    private var heartbeat: Task<Void, Never>?
    private var scheduler: Scheduler?
    /// Push channels are looked after where the scheduler runs (`ChannelKeeper`).
    private var channels: Task<Void, Never>?

    func didBootAsync(_ application: Application) async throws {
        let heartbeatService = HeartbeatService(app: application, role: "serve")
        let scheduler = try SchedulerHost(app: application, role: "serve").makeScheduler(workerID: heartbeatService.workerID)
        lock.withLock {
            self.scheduler = scheduler
            loop = Task { [workerID = heartbeatService.workerID] in
                let notifications = NotificationWorker.start(app: application, workerID: workerID)  // outbox and account checks (issue 15)
                await scheduler.run()
                notifications.cancel()
                await notifications.value
            }
            heartbeat = Task { try? await heartbeatService.beatUntilCancelled(activeRuns: { await scheduler.activeRunCount }) }
            channels = ChannelKeeperHost.start(app: application, workerID: heartbeatService.workerID)
        }
    }

    func shutdownAsync(_ application: Application) async {
        let (loop, heartbeat, scheduler) = lock.withLock { (self.loop, self.heartbeat, self.scheduler) }
        lock.withLock { channels?.cancel() }
        loop?.cancel()
        await scheduler?.shutdown()
        heartbeat?.cancel()
        await heartbeat?.value
    }
}

/// The `worker` process's scheduler as a swift-service-lifecycle service: SIGTERM/SIGINT start a graceful shutdown.
struct SchedulerService: Service {
    let app: Application
    let heartbeat: HeartbeatService

    func run() async throws {
        let scheduler = try SchedulerHost(app: app, role: "worker").makeScheduler(workerID: heartbeat.workerID)
        let loop = Task { [app, workerID = heartbeat.workerID] in
            let notifications = NotificationWorker.start(app: app, workerID: workerID)  // outbox and account checks (issue 15)
            await scheduler.run()
            notifications.cancel()
            await notifications.value
        }
        let beats = Task { try? await heartbeat.beatUntilCancelled(activeRuns: { await scheduler.activeRunCount }) }
        let channels = ChannelKeeperHost.start(app: app, workerID: heartbeat.workerID)
        try? await gracefulShutdown()
        channels?.cancel()
        loop.cancel()
        await scheduler.shutdown()
        await loop.value  // lets the notification worker finish a delivery under way
        beats.cancel()
        await beats.value
    }
}
