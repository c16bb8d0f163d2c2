import Fluent
import Foundation
import SyncEngines
import SyncboardCore

/// Reads and writes the sync state and index of copies (`SyncState`, `SyncCopy`) of one leg of a job (its source →
/// one destination) for the built-in engine. A run's writes go through its fence: an abandoned run's are refused.
struct SyncStateStore: Sendable {
    let db: any Database
    let jobID: UUID
    let leg: SyncJobSpec.Leg
    /// The run writing (nil: read only, or outside a run).
    var fence: RunFence? = nil

    private func states(on db: any Database) -> QueryBuilder<SyncState> {
        SyncState.query(on: db).filter(\.$job.$id == jobID).filter(\.$sourceCalendarID == leg.source).filter(\.$destinationCalendarID == leg.destination)
    }

    private func copies(on db: any Database) -> QueryBuilder<SyncCopy> {
        SyncCopy.query(on: db).filter(\.$job.$id == jobID).filter(\.$sourceCalendarID == leg.source).filter(\.$destinationCalendarID == leg.destination)
    }

    /// Forgets the state, copies index and deletions that stick of the job's legs that are no longer among `legs`
    /// (a destination or member taken out of the job).
    static func forgetLegs(of jobID: UUID, except legs: [SyncJobSpec.Leg], on db: any Database, fence: RunFence?) async throws {
        let kept = Set(legs)
        // Looked at first without a transaction: nearly always there is nothing to forget, and a fenced write is a
        // transaction every other run on SQLite's one connection waits for.
        try fence?.checkOpen()
        let states = try await SyncState.query(on: db).filter(\.$job.$id == jobID).all()
        let tombstones = try await SyncTombstone.query(on: db).filter(\.$job.$id == jobID).all()
        func stale(_ source: UUID, _ destination: UUID) -> Bool { !kept.contains(.init(source: source, destination: destination)) }
        guard states.contains(where: { stale($0.sourceCalendarID, $0.destinationCalendarID) })
                || tombstones.contains(where: { stale($0.sourceCalendarID, $0.destinationCalendarID) }) else { return }
        try await fence.write(on: db) { db in
        for state in try await SyncState.query(on: db).filter(\.$job.$id == jobID).all()
        where !kept.contains(.init(source: state.sourceCalendarID, destination: state.destinationCalendarID)) {
            try await SyncCopy.query(on: db).filter(\.$job.$id == jobID).filter(\.$sourceCalendarID == state.sourceCalendarID)
                .filter(\.$destinationCalendarID == state.destinationCalendarID).delete()
            try await state.delete(on: db)
        }
        for tombstone in try await SyncTombstone.query(on: db).filter(\.$job.$id == jobID).all()
        where !kept.contains(.init(source: tombstone.sourceCalendarID, destination: tombstone.destinationCalendarID)) {
            try await tombstone.delete(on: db)
        }
        }
    }

    /// The stored state and index, or nil when the job has none.
    func load() async throws -> (state: SyncState, index: [String: IncrementalPlan.IndexedCopy])? {
        try fence?.checkOpen()
        guard let state = try await states(on: db).first() else { return nil }
        var index: [String: IncrementalPlan.IndexedCopy] = [:]
        for copy in try await copies(on: db).all() {
            index[copy.sourceEventID] = .init(destinationEventID: copy.destinationEventID, syncID: copy.syncID, contentHash: copy.contentHash)
        }
        return (state, index)
    }

    /// Whether a sync or clean-up run of the job other than `runID` and the state's own started after the state
    /// was written: another engine (or a clean-up) may have changed the sink behind the index.
    func otherRunSince(_ state: SyncState, runID: UUID) async throws -> Bool {
        try fence?.checkOpen()
        var query = JobRun.query(on: db).filter(\.$job.$id == jobID).filter(\.$mode ~~ [.sync, .clean])
            .filter(\.$id != runID).filter(\.$startedAt > state.lastRunAt)
        if let last = state.lastRunID { query = query.filter(\.$id != last) }
        return try await query.count() > 0
    }

    /// Marks the state as being written by `runID`: if the run stops before `finish`, the next run reconciles.
    func markWriting(runID: UUID) async throws {
        // One UPDATE, not a read and a save: each statement is a turn on SQLite's one connection.
        try await fence.write(on: db) { db in
            try await states(on: db).set(\.$incompleteRunID, to: runID).update()
        }
    }

    /// Applies one landed write of an incremental run to the index.
    func apply(_ change: IndexChange) async throws {
        try await fence.write(on: db) { db in try await applyUnfenced(change, on: db) }
    }

    private func applyUnfenced(_ change: IndexChange, on db: any Database) async throws {
        switch change {
        case .remove(let sourceEventID):
            try await copies(on: db).filter(\.$sourceEventID == sourceEventID).delete()
        case .upsert(let entry):
            if let copy = try await copies(on: db).filter(\.$sourceEventID == entry.sourceEventID).first() {
                copy.destinationEventID = entry.destinationEventID
                copy.syncID = entry.syncID
                copy.contentHash = entry.contentHash
                try await copy.save(on: db)
            } else {
                try await SyncCopy(jobID: jobID, leg: leg, sourceEventID: entry.sourceEventID, destinationEventID: entry.destinationEventID,
                                   syncID: entry.syncID, contentHash: entry.contentHash).create(on: db)
            }
        }
    }

    /// After an incremental run: the next token, and whether the index can be trusted (every write landed and
    /// was recorded).
    func finishIncremental(runID: UUID, syncToken: String, complete: Bool, now: Date = Date()) async throws {
        try await fence.write(on: db) { db in
            try await states(on: db).set(\.$syncToken, to: syncToken).set(\.$lastRunID, to: runID).set(\.$lastRunAt, to: now)
                .set(\.$incompleteRunID, to: complete ? nil : runID).update()
        }
    }

    /// After a full reconciliation: the index replaced by the rebuilt one, a fresh token, the window and definition.
    func replace(with checkpoint: SyncCheckpoint, runID: UUID, window: (start: Date, end: Date), fingerprint: String,
                 reason: FullReconciliationReason, complete: Bool, now: Date = Date()) async throws {
        try await fence.write(on: db) { db in
            try await copies(on: db).delete()
            let copies = checkpoint.index.map {
                SyncCopy(jobID: jobID, leg: leg, sourceEventID: $0.sourceEventID, destinationEventID: $0.destinationEventID, syncID: $0.syncID,
                         contentHash: $0.contentHash)
            }
            // Batches keep each insert under SQLite's and PostgreSQL's limits on bound parameters.
            for start in stride(from: 0, to: copies.count, by: 500) {
                try await Array(copies[start..<min(start + 500, copies.count)]).create(on: db)
            }
            let state = try await states(on: db).first() ?? SyncState()
            state.$job.id = jobID
            state.sourceCalendarID = leg.source
            state.destinationCalendarID = leg.destination
            state.syncToken = checkpoint.syncToken
            state.windowStart = window.start
            state.windowEnd = window.end
            state.definitionFingerprint = fingerprint
            state.lastFullAt = now
            state.lastFullReason = reason.rawValue
            state.lastRunID = runID
            state.lastRunAt = now
            state.incompleteRunID = complete ? nil : runID
            try await state.save(on: db)
        }
    }
}

extension SyncState {
    var snapshot: FullSyncPolicy.StateSnapshot {
        .init(windowStart: windowStart, windowEnd: windowEnd, definitionFingerprint: definitionFingerprint, lastFullAt: lastFullAt,
              lastRunID: lastRunID, incompleteRunID: incompleteRunID)
    }
}
