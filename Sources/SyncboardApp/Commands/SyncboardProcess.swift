import Foundation
import ServiceLifecycle
import Vapor

/// The long-running processes, `serve` and `worker`: one start-up, one `ServiceGroup`; they differ only in the
/// services they add. `serve` adds the HTTP server and (unless turned off) the scheduler's services; `worker` adds the
/// scheduler's services only. Until SIGTERM or SIGINT; then, at the same time, the server stops accepting connections
/// while requests in flight finish, and the scheduler stops claiming and gives its active runs the grace period (those
/// still going then are stopped and marked interrupted). Every step is bounded, whatever the database does;
/// `StopSignals` turns the signal into the group's graceful shutdown (even one that arrives before the group runs)
/// and guards the rest: a second signal, or a stop that overruns its budget, ends the process at once.
struct SyncboardProcess {
    enum Role: String, Sendable {
        case serve, worker
    }

    let app: Application
    let stop: StopSignals
    let role: Role

    func run() async throws {
        let configuration = app.syncboard.configuration
        var services: [any Service] = []
        if role == .serve {
            // Requests in flight get the grace period too, but no more than Vapor's usual ten seconds.
            let grace = configuration.scheduler.shutdownGracePeriod.components.seconds
            app.http.server.configuration.shutdownTimeout = .seconds(min(10, max(1, grace)))
            services.append(HTTPServerService(app: app))
            app.logger.notice("Syncboard \(SyncboardVersion.current) starting", metadata: [
                "database": .string(configuration.database.summary),
                "base_url": .string(configuration.baseURL.absoluteString),
            ])
        }
        var heartbeat: HeartbeatService?
        if role == .worker || configuration.runsScheduler {
            let scheduling = try SchedulerHost(app: app, role: role.rawValue).makeServices()
            heartbeat = scheduling.heartbeat
            services += scheduling.loops
        }
        try await app.asyncBoot()
        // A group stops its services last first: the loops together, then the heartbeat.
        let group = ServiceGroup(configuration: .init(services: (heartbeat.map { [$0] } ?? []) + [StoppedTogether(services)], logger: app.logger))
        // The signal arrives on StopSignals' dispatch queue; the group is an actor, so the trigger is sent in a task.
        stop.onStop { Task { await group.triggerGracefulShutdown() } }
        if role == .worker, let heartbeat {
            app.logger.notice("worker started", metadata: ["worker_id": .string(heartbeat.workerID)])
        }
        try await group.run()
        if role == .worker, let heartbeat {
            app.logger.notice("worker stopped", metadata: ["worker_id": .string(heartbeat.workerID)])
        }
    }
}
