import Fluent
import Foundation
import Logging
import ServiceLifecycle
import Vapor

/// The `worker` process: the scheduler and its heartbeat until SIGTERM or SIGINT, then a clean exit (status 0)
/// after active runs finished or, past the grace period, were stopped and marked interrupted.
struct WorkerProcess {
    let app: Application

    func run() async throws {
        let heartbeat = HeartbeatService(app: app, role: "worker")
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: SchedulerService(app: app, heartbeat: heartbeat))],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: app.logger))
        app.logger.notice("worker started", metadata: ["worker_id": .string(heartbeat.workerID)])
        try await group.run()
        app.logger.notice("worker stopped", metadata: ["worker_id": .string(heartbeat.workerID)])
    }
}

/// Keeps this process's row in `worker_heartbeats` fresh while its scheduler runs, and removes it at the end.
struct HeartbeatService: Sendable {
    let app: Application
    let role: String
    let workerID: String
    let interval: Duration

    init(app: Application, role: String, interval: Duration = .seconds(10)) {
        self.app = app
        self.role = role
        self.interval = interval
        self.workerID = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
    }

    /// Beats until the task is cancelled, then deletes the row.
    func beatUntilCancelled(activeRuns: @Sendable () async -> Int) async throws {
        let started = Date()
        while !Task.isCancelled {
            await beat(started: started, activeRuns: await activeRuns())
            try? await Task.sleep(for: interval)
        }
        try? await WorkerHeartbeat.query(on: app.db).filter(\.$id == workerID).delete()
    }

    private func beat(started: Date, activeRuns: Int) async {
        let now = Date()
        do {
            if let existing = try await WorkerHeartbeat.find(workerID, on: app.db) {
                existing.lastSeenAt = now
                existing.activeRuns = activeRuns
                try await existing.save(on: app.db)
            } else {
                let row = WorkerHeartbeat(id: workerID, role: role, startedAt: started, lastSeenAt: now)
                row.activeRuns = activeRuns
                try await row.create(on: app.db)
            }
        } catch {
            app.logger.warning("heartbeat failed", metadata: ["error": .string(DatabaseErrorDescription.describe(error))])
        }
    }

    /// Heartbeats older than this mean the scheduler is gone.
    static let staleAfter: TimeInterval = 45
}
