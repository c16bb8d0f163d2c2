import Foundation

/// What one sync run will change in the sink, decided exactly as CalendarSync's controller (`diffEvents`) does:
/// events are matched by their metadata's EventID; only copies whose SourceID is this source's are updated or
/// deleted; an event that came from the sink and was deleted there is not copied back.
public struct SyncPlan: Sendable {
    public enum Note: Sendable, Equatable {
        case skippedFromSink(title: String)
        case skippedNotOurs(title: String)
        case filteredOut(title: String)
    }

    public var creates: [SyncEvent] = []
    /// Sink events overwritten with the new content (their own ids kept).
    public var updates: [SyncEvent] = []
    public var deletes: [SyncEvent] = []
    public var notes: [Note] = []
    /// What the sink should hold for each source event the filters keep (each copy's `id` is its original's):
    /// a full reconciliation rebuilds its index of copies from these.
    public var copies: [SyncEvent] = []

    public var isEmpty: Bool { creates.isEmpty && updates.isEmpty && deletes.isEmpty }

    /// - Parameters:
    ///   - source: the source calendar's events in the window (metadata already derived, see `SyncMetadata`).
    ///   - sink: the sink calendar's events in the window.
    ///   - sourceHash, sinkHash: the SourceIDs of the two calendars.
    public static func make(source: [SyncEvent], sink: [SyncEvent], rules: SyncRules, sourceHash: String, sinkHash: String) -> SyncPlan {
        var plan = SyncPlan()
        var copies: [SyncEvent] = []
        for event in source {
            if rules.keeps(event) { copies.append(rules.transform(event)) } else { plan.notes.append(.filteredOut(title: event.title)) }
        }
        plan.copies = copies
        // Later events with the same EventID win, as in Go's map building.
        var sinkByID: [String: SyncEvent] = [:]
        for event in sink { sinkByID[event.metadata.syncID] = event }
        // The filtered copies decide what stays: a copy whose original is now filtered out is deleted.
        let sourceIDs = Set(copies.map(\.metadata.syncID))

        for copy in copies {
            guard let existing = sinkByID[copy.metadata.syncID] else {
                if copy.metadata.sourceID == sinkHash {
                    plan.notes.append(.skippedFromSink(title: copy.title))
                } else {
                    plan.creates.append(copy)
                }
                continue
            }
            if existing.metadata.sourceID != sourceHash {
                plan.notes.append(.skippedNotOurs(title: copy.title))
            } else if !copy.isSame(as: existing) {
                plan.updates.append(existing.overwritten(with: copy))
            }
        }
        for event in sink where !sourceIDs.contains(event.metadata.syncID) && event.metadata.sourceID == sourceHash {
            plan.deletes.append(event)
        }
        return plan
    }

    /// Clean mode: every sink event in the window whose SourceID is this source's.
    public static func cleanUp(sink: [SyncEvent], sourceHash: String) -> SyncPlan {
        var plan = SyncPlan()
        var seen: Set<String> = []
        for event in sink where event.metadata.sourceID == sourceHash && seen.insert(event.id).inserted { plan.deletes.append(event) }
        return plan
    }
}
