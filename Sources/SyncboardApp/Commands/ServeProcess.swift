import Foundation
import Vapor

/// The `serve` process: the web app (and, unless turned off, the scheduler) until SIGTERM or SIGINT. Then it stops
/// accepting connections while requests in flight finish and, at the same time, the scheduler stops claiming and gives
/// its active runs the grace period. Every step is bounded, whatever the database does; `StopSignals` guards the rest.
struct ServeProcess {
    let app: Application
    let stop: StopSignals

    func run() async throws {
        let configuration = app.syncboard.configuration
        // Requests in flight get the grace period too, but no more than Vapor's usual ten seconds.
        let grace = configuration.scheduler.shutdownGracePeriod.components.seconds
        app.http.server.configuration.shutdownTimeout = .seconds(min(10, max(1, grace)))
        let scheduler = configuration.runsScheduler ? SchedulerLifecycle() : nil
        if let scheduler { app.lifecycle.use(scheduler) }
        app.logger.notice("Syncboard \(SyncboardVersion.current) starting", metadata: [
            "database": .string(configuration.database.summary),
            "base_url": .string(configuration.baseURL.absoluteString),
        ])
        try await app.startup()  // Vapor's serve command: listens until `running` is stopped
        // Registered once `running` exists; a signal that came during startup stops the server straight away.
        stop.onStop { [app] in app.running?.stop() }
        try await app.running?.onStop.get()

        async let connectionsClosed: Void = app.server.shutdown()
        await scheduler?.shutdownAsync(app)
        await connectionsClosed
    }
}
