import Fluent
import GoogleClient
import Foundation
import Logging
import ServiceLifecycle
import Vapor

/// Keeps this process's row in `worker_heartbeats` fresh while its scheduler runs, and removes it at the end: a
/// service that beats until graceful shutdown. It is the last service of its group to stop (after the scheduler has
/// given its runs the grace period), so a stopping process still reports in while it has runs.
struct HeartbeatService: Service {
    let app: Application
    let role: String
    let workerID: String
    let interval: Duration
    /// The runs this process's scheduler has under way (each beat records them).
    let activeRuns: @Sendable () async -> Int

    init(app: Application, role: String, workerID: String = Self.newWorkerID(), interval: Duration = .seconds(10),
         activeRuns: @escaping @Sendable () async -> Int) {
        self.app = app
        self.role = role
        self.interval = interval
        self.workerID = workerID
        self.activeRuns = activeRuns
    }

    /// This process's identity among the schedulers (host, process id, and a random part).
    static func newWorkerID() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
    }

    /// Beats until graceful shutdown (or cancellation), then deletes the row. Every beat, and the deletion, is
    /// bounded: when the database is gone, a beat fails (or is given up) and a stopping process is not held up by it.
    func run() async {
        // Resolved once: a beat given up on may still run after the application shut down, when `app.db` and
        // `app.syncboard` trap (its storage is cleared).
        let db = app.db
        let pacer = app.syncboard.google?.calendarAPI?.pacer
        let started = Date()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let count = await activeRuns()
            do {
                try await withinDeadline(interval, "the heartbeat") { try await beat(on: db, pacer: pacer, started: started, activeRuns: count) }
            } catch is CancellationError {
                break
            } catch {
                app.logger.warning("heartbeat failed", metadata: ["error": .string(DatabaseErrorDescription.describe(error))])
            }
            try? await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
        }
        // Best effort, in a task of its own (this one may be cancelled): a row left behind only looks stale after `staleAfter`.
        await Task { [workerID] in
            _ = try? await withinDeadline(.seconds(2), "removing the heartbeat") {
                try await WorkerHeartbeat.query(on: db).filter(\.$id == workerID).delete()
            }
        }.value
    }
    private func beat(on db: any Database, pacer: RequestPacer?, started: Date, activeRuns: Int) async throws {
        let now = Date()
        // The processes that run jobs share each Google account's request budget (`RequestPacer`).
        let alive = try await WorkerHeartbeat.query(on: db).filter(\.$id != workerID)
            .filter(\.$lastSeenAt > now.addingTimeInterval(-Self.staleAfter)).count()
        pacer?.share(among: alive + 1)
        if let existing = try await WorkerHeartbeat.find(workerID, on: db) {
            existing.lastSeenAt = now
            existing.activeRuns = activeRuns
            try await existing.save(on: db)
        } else {
            let row = WorkerHeartbeat(id: workerID, role: role, startedAt: started, lastSeenAt: now)
            row.activeRuns = activeRuns
            try await row.create(on: db)
        }
    }

    /// Heartbeats older than this mean the scheduler is gone.
    static let staleAfter: TimeInterval = 45
}
