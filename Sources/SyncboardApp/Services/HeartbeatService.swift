import Fluent
import Foundation
import Logging
import ServiceLifecycle
import Vapor

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

    /// Beats until the task is cancelled, then deletes the row. Every beat, and the deletion, is bounded: when the
    /// database is gone, a beat fails (or is given up) and a stopping process is not held up by it.
    func beatUntilCancelled(activeRuns: @Sendable () async -> Int) async {
        // Resolved once: a beat given up on may still run after the application shut down, when `app.db` traps.
        let db = app.db
        let started = Date()
        while !Task.isCancelled {
            let count = await activeRuns()
            do {
                try await withinDeadline(interval, "the heartbeat") { try await beat(on: db, started: started, activeRuns: count) }
            } catch is CancellationError {
                break
            } catch {
                app.logger.warning("heartbeat failed", metadata: ["error": .string(DatabaseErrorDescription.describe(error))])
            }
            try? await Task.sleep(for: interval)
        }
        // Best effort, in a task of its own (this one is cancelled): a row left behind only looks stale after `staleAfter`.
        await Task { [workerID] in
            _ = try? await withinDeadline(.seconds(2), "removing the heartbeat") {
                try await WorkerHeartbeat.query(on: db).filter(\.$id == workerID).delete()
            }
        }.value
    }

    private func beat(on db: any Database, started: Date, activeRuns: Int) async throws {
        let now = Date()
        // The processes that run jobs share each Google account's request budget (`RequestPacer`).
        let alive = try await WorkerHeartbeat.query(on: db).filter(\.$id != workerID)
            .filter(\.$lastSeenAt > now.addingTimeInterval(-Self.staleAfter)).count()
        app.syncboard.google?.calendarAPI?.pacer?.share(among: alive + 1)
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
