import Fluent
import Foundation
import Logging
import ServiceLifecycle
import Vapor

/// The `worker` process: registers a heartbeat and runs until SIGTERM or SIGINT, then exits cleanly.
/// The scheduler (claiming and running due jobs) runs inside it.
struct WorkerProcess {
    let app: Application

    func run() async throws {
        let service = HeartbeatService(app: app, role: "worker")
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: app.logger))
        app.logger.notice("worker started", metadata: ["worker_id": .string(service.workerID)])
        try await group.run()
        app.logger.notice("worker stopped", metadata: ["worker_id": .string(service.workerID)])
    }
}

/// Keeps this process's row in `worker_heartbeats` fresh until graceful shutdown, then removes it.
struct HeartbeatService: Service {
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

    func run() async throws {
        let started = Date()
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await beat(started: started)
                try? await Task.sleep(for: interval)
            }
        }
        try? await WorkerHeartbeat.query(on: app.db).filter(\.$id == workerID).delete()
    }

    private func beat(started: Date) async {
        let now = Date()
        do {
            if let existing = try await WorkerHeartbeat.find(workerID, on: app.db) {
                existing.lastSeenAt = now
                try await existing.save(on: app.db)
            } else {
                try await WorkerHeartbeat(id: workerID, role: role, startedAt: started, lastSeenAt: now).create(on: app.db)
            }
        } catch {
            app.logger.warning("heartbeat failed", metadata: ["error": .string(DatabaseErrorDescription.describe(error))])
        }
    }
}
