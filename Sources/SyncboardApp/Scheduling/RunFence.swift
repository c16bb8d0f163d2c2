import Fluent
import Foundation
import SQLKit
import Synchronization

/// Fences what a run writes to Syncboard's own storage (its job's sync state, index of copies and deletions that
/// stick) by the run, as claims are fenced by the lease: a write lands only while the run is still the job's
/// running run. A run past its time limit is abandoned, not awaited (`RunTimeLimit`), and a run whose lease was lost
/// is left to whoever recovered it; either may go on working for a while, possibly while the job's next run works.
/// Its late writes are refused here (`Superseded`), so they can never overwrite the next run's state.
final class RunFence: Sendable {
    let runID: UUID
    /// Closed by the executor the moment it abandons the run, before the outcome is recorded.
    private let closed = Mutex(false)

    init(runID: UUID) { self.runID = runID }

    /// A write refused: the run was abandoned (time limit, cancelled) or has ended.
    struct Superseded: Error, CustomStringConvertible {
        let runID: UUID
        var description: String { "run \(runID) no longer owns its job's sync state (it was stopped or has ended); its late write was refused" }
    }

    func close() { closed.withLock { $0 = true } }

    var isClosed: Bool { closed.withLock { $0 } }

    /// Throws once the run is abandoned. Its stores' reads call it too: an abandoned run stops using the database
    /// at its next step, instead of reading on while the process may be closing the database under it.
    func checkOpen() throws(Superseded) {
        if isClosed { throw Superseded(runID: runID) }
    }

    /// Runs `write` in one transaction that first checks the run is still running. On PostgreSQL the run's row is
    /// held (`FOR SHARE`) until the write commits, so the run's end cannot be recorded in between; SQLite's
    /// transactions take the write lock at their start, which serialises them anyway.
    func write<T: Sendable>(on db: any Database, _ write: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard !isClosed else { throw Superseded(runID: runID) }
        return try await db.transaction { db in
            let lock: SQLQueryString = db.isPostgreSQL ? " FOR SHARE" : ""
            let row = try await db.sql().raw("SELECT status FROM job_runs WHERE id = \(bind: self.runID)\(lock)").first()
            let status = try row?.decode(column: "status", as: String.self)
            guard status == JobRun.Status.running.rawValue, !self.isClosed else { throw Superseded(runID: self.runID) }
            return try await write(db)
        }
    }
}

extension Optional where Wrapped == RunFence {
    /// `write` through the fence, or directly when there is none (outside a run).
    func write<T: Sendable>(on db: any Database, _ write: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard let fence = self else { return try await write(db) }
        return try await fence.write(on: db, write)
    }
}
