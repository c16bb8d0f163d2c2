import Foundation

/// What an incremental run writes, from the source events that changed since the last run and the index of the
/// copies the job has made, without reading the sink. It decides as `SyncPlan` does for those events (the same
/// `SyncRules`, the same metadata), with the index standing in for the sink's copies: a kept event gets a copy
/// (created, or rewritten when its content differs from what was copied), and a deleted, filtered-out or
/// out-of-window event loses its copy.
public struct IncrementalPlan: Sendable {
    /// One copy the job made: where it lives in the sink, its CalendarSync EventID, and a hash of what was copied.
    public struct IndexedCopy: Sendable, Equatable {
        public var destinationEventID: String
        public var syncID: String
        public var contentHash: String
        public init(destinationEventID: String, syncID: String, contentHash: String) {
            self.destinationEventID = destinationEventID
            self.syncID = syncID
            self.contentHash = contentHash
        }
    }

    public struct Update: Sendable {
        /// The copy as it must be written; its `id` is the sink event's.
        public var copy: SyncEvent
        public var sourceEventID: String
    }

    public struct Delete: Sendable {
        public var sourceEventID: String
        public var destinationEventID: String
    }

    /// Copies to create; each copy's `id` is its original's.
    public var creates: [SyncEvent] = []
    public var updates: [Update] = []
    public var deletes: [Delete] = []
    public var notes: [SyncPlan.Note] = []
    /// Set when a changed event carries another calendar's sync metadata: whether the sink already holds a copy
    /// with that EventID can only be told by listing it, so a full reconciliation decides.
    public var needsSinkListing = false

    public var isEmpty: Bool { creates.isEmpty && updates.isEmpty && deletes.isEmpty }

    /// - Parameters:
    ///   - changed: source events changed since the last run that still exist (metadata derived as for `SyncPlan`).
    ///   - removed: ids of source events deleted since (a recurring event's id removes its instances' copies too).
    ///   - index: the job's copies by their original's event id.
    ///   - contentHash: the hash the index stores for a copy (of `SyncEvent.comparableContent`).
    public static func make(changed: [SyncEvent], removed: [String], window: (start: Date, end: Date), index: [String: IndexedCopy],
                            rules: SyncRules, sourceHash: String, sinkHash: String, contentHash: (SyncEvent) -> String) -> IncrementalPlan {
        var plan = IncrementalPlan()
        var deleted: Set<String> = []
        func deleteCopy(of sourceEventID: String) {
            guard let indexed = index[sourceEventID], deleted.insert(sourceEventID).inserted else { return }
            plan.deletes.append(Delete(sourceEventID: sourceEventID, destinationEventID: indexed.destinationEventID))
        }
        for id in removed {
            deleteCopy(of: id)
            // Instances of a recurring event have ids "<its id>_<start>"; plain event ids never contain "_".
            for key in index.keys where key.hasPrefix(id + "_") { deleteCopy(of: key) }
        }
        for event in changed {
            // The full plan only sees events overlapping the window; one that moved out loses its copy.
            guard event.end > window.start, event.start < window.end else { deleteCopy(of: event.id); continue }
            guard rules.keeps(event) else {
                plan.notes.append(.filteredOut(title: event.title))
                deleteCopy(of: event.id)
                continue
            }
            let copy = rules.transform(event)
            if let indexed = index[event.id] {
                if contentHash(copy) != indexed.contentHash || copy.metadata.syncID != indexed.syncID {
                    var rewritten = copy
                    rewritten.id = indexed.destinationEventID
                    plan.updates.append(Update(copy: rewritten, sourceEventID: event.id))
                }
            } else if copy.metadata.sourceID == sinkHash {
                plan.notes.append(.skippedFromSink(title: copy.title))
            } else if copy.metadata.sourceID != sourceHash {
                plan.needsSinkListing = true
            } else {
                plan.creates.append(copy)
            }
        }
        return plan
    }
}
