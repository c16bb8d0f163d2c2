import Foundation
import SyncboardCore

/// A copy the user deleted in the destination, kept deleted (a job's "deletions stick" option): the original it
/// was made from, named for the job page.
public struct Tombstone: Sendable, Equatable {
    public var sourceEventID: String
    /// The original's title and start, as the job page lists them.
    public var title: String
    public var start: Date
    public init(sourceEventID: String, title: String, start: Date) {
        self.sourceEventID = sourceEventID
        self.title = title
        self.start = start
    }
}

/// What a run of a job whose deletions stick knows: the originals whose copies the user deleted (never re-created)
/// and the index before the run, which tells a copy the user deleted (indexed, now missing from the destination)
/// from one the job never made.
public struct StickyDeletions: Sendable {
    public var tombstones: Set<String>
    public var previousIndex: [String: IncrementalPlan.IndexedCopy]
    public init(tombstones: Set<String>, previousIndex: [String: IncrementalPlan.IndexedCopy]) {
        self.tombstones = tombstones
        self.previousIndex = previousIndex
    }
}

extension BuiltinSyncEngine {
    /// What became of a copy the index knows (the provider tells a deleted one, however its service shows it).
    enum CopyState { case deleted, present(SyncEvent) }

    func copyState(_ indexed: IncrementalPlan.IndexedCopy, in sink: Calendar, sinkHash: String) async throws(Failure) -> CopyState {
        do {
            guard let copy = try await provider.fetch(sink, indexed.destinationEventID, sinkHash) else { return .deleted }
            return .present(copy)
        } catch {
            throw .provider(error, while: "checking whether a copy was deleted in the destination")
        }
    }

    /// The full plan with deletions that stick: a tombstoned original gets no copy; an original whose indexed
    /// copy is missing from the destination's listing gets a tombstone when the copy was deleted, or has its copy
    /// rewritten when it still exists (outside the listed window).
    func applySticky(_ sticky: StickyDeletions, to plan: inout SyncPlan, originals: [String: SyncEvent], sink: Calendar, sinkHash: String,
                     log: @Sendable (String) async -> Void) async throws(Failure) -> [Tombstone] {
        var creates: [SyncEvent] = []
        var tombstoned: [Tombstone] = []
        for copy in plan.creates {
            if sticky.tombstones.contains(copy.id) { continue }
            if let indexed = sticky.previousIndex[copy.id] {
                switch try await copyState(indexed, in: sink, sinkHash: sinkHash) {
                case .deleted:
                    let original = originals[copy.id]
                    tombstoned.append(Tombstone(sourceEventID: copy.id, title: original?.title ?? copy.title, start: original?.start ?? copy.start))
                    await log("keeping “\(original?.title ?? copy.title)” deleted: its copy was deleted in the destination")
                    continue
                case .present(let existing):
                    if !copy.isSame(as: existing) { plan.updates.append(existing.overwritten(with: copy)) }
                    continue
                }
            }
            creates.append(copy)
        }
        let kept = sticky.tombstones.intersection(plan.creates.map(\.id)).count
        if kept > 0 { await log(kept == 1 ? "1 deleted copy stays deleted" : "\(kept) deleted copies stay deleted") }
        plan.creates = creates
        return tombstoned
    }
}
