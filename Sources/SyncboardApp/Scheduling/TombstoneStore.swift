import Fluent
import Foundation
import SyncEngines
import SyncboardCore

/// A job's deletions that stick (`SyncTombstone`) in one leg (source → destination): the originals whose copies
/// the user deleted there, what a run needs of them, and what it leaves.
struct TombstoneStore: Sendable {
    let db: any Database
    let jobID: UUID
    let leg: SyncJobSpec.Leg
    /// The run writing: its writes are refused once it was abandoned or has ended (`RunFence`).
    var fence: RunFence? = nil

    private var scope: QueryBuilder<SyncTombstone> { scope(on: db) }

    private func scope(on db: any Database) -> QueryBuilder<SyncTombstone> {
        SyncTombstone.query(on: db).filter(\.$job.$id == jobID).filter(\.$sourceCalendarID == leg.source)
            .filter(\.$destinationCalendarID == leg.destination)
    }

    /// Every leg's, for the job page.
    static func all(of jobID: UUID, on db: any Database) async throws -> [SyncTombstone] {
        try await SyncTombstone.query(on: db).filter(\.$job.$id == jobID).sort(\.$startsAt).all()
    }

    /// Restore (in whichever leg it is): the next run makes the copy again.
    static func restore(_ id: UUID, of jobID: UUID, on db: any Database, now: Date = Date()) async throws -> SyncTombstone? {
        guard let tombstone = try await SyncTombstone.query(on: db).filter(\.$job.$id == jobID).filter(\.$id == id).first() else { return nil }
        tombstone.restoredAt = now
        try await tombstone.save(on: db)
        return tombstone
    }

    func all() async throws -> [SyncTombstone] {
        try fence?.checkOpen()
        return try await scope.sort(\.$startsAt).all()
    }

    /// The originals whose copies stay deleted (restored ones are not among them).
    func active() async throws -> Set<String> {
        Set(try await all().filter { $0.restoredAt == nil }.map(\.sourceEventID))
    }

    /// Whether the user restored one since the last run: a full reconciliation makes the copy again.
    func anyRestored() async throws -> Bool {
        try fence?.checkOpen()
        return try await scope.filter(\.$restoredAt != nil).count() > 0
    }

    /// Records the copies a run found deleted.
    func add(_ found: [Tombstone], now: Date = Date()) async throws {
        guard !found.isEmpty else { return }
        try await fence.write(on: db) { db in
        for tombstone in found {
            if let existing = try await scope(on: db).filter(\.$sourceEventID == tombstone.sourceEventID).first() {
                existing.restoredAt = nil
                existing.deletedSeenAt = now
                try await existing.save(on: db)
            } else {
                try await SyncTombstone(jobID: jobID, leg: leg, sourceEventID: tombstone.sourceEventID, title: tombstone.title, startsAt: tombstone.start,
                                        deletedSeenAt: now).create(on: db)
            }
        }
        }
    }

    /// After a full reconciliation: only `retained` stay (restored ones, and those whose original is gone or no
    /// longer copied, are forgotten).
    func keepOnly(_ retained: Set<String>) async throws {
        try await fence.write(on: db) { db in
            for tombstone in try await scope(on: db).all() where tombstone.restoredAt != nil || !retained.contains(tombstone.sourceEventID) {
                try await tombstone.delete(on: db)
            }
        }
    }

    /// The tombstones of these originals (gone from the source) are dropped.
    func forget(_ sourceEventIDs: [String]) async throws {
        guard !sourceEventIDs.isEmpty else { return }
        try await fence.write(on: db) { db in try await scope(on: db).filter(\.$sourceEventID ~~ sourceEventIDs).delete() }
    }

    /// With the option off, nothing is kept deleted any more.
    func removeAll() async throws {
        try await fence.write(on: db) { db in try await scope(on: db).delete() }
    }
}
