import Fluent
import Foundation
import SyncEngines

/// A job's deletions that stick (`SyncTombstone`): the originals whose copies the user deleted, what a run needs
/// of them, and what it leaves.
struct TombstoneStore {
    let db: any Database
    let jobID: UUID

    func all() async throws -> [SyncTombstone] {
        try await SyncTombstone.query(on: db).filter(\.$job.$id == jobID).sort(\.$startsAt).all()
    }

    /// The originals whose copies stay deleted (restored ones are not among them).
    func active() async throws -> Set<String> {
        Set(try await all().filter { $0.restoredAt == nil }.map(\.sourceEventID))
    }

    /// Whether the user restored one since the last run: a full reconciliation makes the copy again.
    func anyRestored() async throws -> Bool {
        try await SyncTombstone.query(on: db).filter(\.$job.$id == jobID).filter(\.$restoredAt != nil).count() > 0
    }

    /// Records the copies a run found deleted.
    func add(_ tombstones: [Tombstone], now: Date = Date()) async throws {
        for tombstone in tombstones {
            if let existing = try await SyncTombstone.query(on: db).filter(\.$job.$id == jobID)
                .filter(\.$sourceEventID == tombstone.sourceEventID).first() {
                existing.restoredAt = nil
                existing.deletedSeenAt = now
                try await existing.save(on: db)
            } else {
                try await SyncTombstone(jobID: jobID, sourceEventID: tombstone.sourceEventID, title: tombstone.title, startsAt: tombstone.start,
                                        deletedSeenAt: now).create(on: db)
            }
        }
    }

    /// After a full reconciliation: only `retained` stay (restored ones, and those whose original is gone or no
    /// longer copied, are forgotten).
    func keepOnly(_ retained: Set<String>) async throws {
        for tombstone in try await all() where tombstone.restoredAt != nil || !retained.contains(tombstone.sourceEventID) {
            try await tombstone.delete(on: db)
        }
    }

    /// Restore: the next run makes the copy again.
    func restore(_ id: UUID, now: Date = Date()) async throws -> SyncTombstone? {
        guard let tombstone = try await SyncTombstone.query(on: db).filter(\.$job.$id == jobID).filter(\.$id == id).first() else { return nil }
        tombstone.restoredAt = now
        try await tombstone.save(on: db)
        return tombstone
    }

    /// With the option off, nothing is kept deleted any more.
    func removeAll() async throws {
        try await SyncTombstone.query(on: db).filter(\.$job.$id == jobID).delete()
    }
}
