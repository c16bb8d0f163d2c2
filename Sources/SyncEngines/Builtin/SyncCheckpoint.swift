import Foundation
import SyncboardCore

/// One copy in a job's index: the original's event id, the copy's id in the sink, its CalendarSync EventID and a
/// hash of what was copied (`SyncEvent.comparableContent`). The index is a cache: the copy's metadata stays the truth.
public struct CopyIndexEntry: Sendable, Equatable {
    public var sourceEventID: String
    public var destinationEventID: String
    public var syncID: String
    public var contentHash: String
    public init(sourceEventID: String, destinationEventID: String, syncID: String, contentHash: String) {
        self.sourceEventID = sourceEventID
        self.destinationEventID = destinationEventID
        self.syncID = syncID
        self.contentHash = contentHash
    }

    public var indexed: IncrementalPlan.IndexedCopy {
        IncrementalPlan.IndexedCopy(destinationEventID: destinationEventID, syncID: syncID, contentHash: contentHash)
    }
}

/// What a full reconciliation leaves for the incremental runs after it: the source's sync token and the index
/// of this source's copies in the sink, rebuilt from the sink's metadata.
public struct SyncCheckpoint: Sendable, Equatable {
    public var syncToken: String
    public var index: [CopyIndexEntry]
    /// Deletions that stick: the originals whose copies stay deleted after this run (earlier tombstones of
    /// originals the rules still copy, and this run's new ones).
    public var retainedTombstones: Set<String> = []
}

/// A write of an incremental run, for keeping the index in step with the sink.
public enum IndexChange: Sendable, Equatable {
    case upsert(CopyIndexEntry)
    case remove(sourceEventID: String)
}

/// How an incremental run ended: synced (with the token to continue from), or it cannot go on incrementally.
public enum IncrementalResult: Sendable {
    case synced(BuiltinSyncEngine.Outcome, nextSyncToken: String)
    case needsFullReconciliation(FullReconciliationReason)
}

/// Why a run lists both calendars instead of only the source's changes.
public enum FullReconciliationReason: String, Sendable, CaseIterable {
    case noState = "no_state"
    case syncTokenExpired = "sync_token_expired"
    case definitionChanged = "definition_changed"
    case windowMoved = "window_moved"
    case previousRunIncomplete = "previous_run_incomplete"
    case otherRunChangedSink = "other_run"
    case safetyNet = "safety_net"
    case foreignMetadata = "foreign_metadata"
    case restored = "restored"
    case copyDeleted = "copy_deleted"

    /// A short line for the run page and the log.
    public var description: String {
        switch self {
        case .noState: "no sync state yet"
        case .syncTokenExpired: "the calendar service no longer accepted the saved change cursor (a sync token or delta link, 410)"
        case .definitionChanged: "the job's calendars, rules or window changed"
        case .windowMoved: "the sync window moved"
        case .previousRunIncomplete: "the previous run failed part-way or did not finish"
        case .otherRunChangedSink: "another engine or a clean-up ran since"
        case .safetyNet: "the periodic safety-net reconciliation was due"
        case .foreignMetadata: "a changed event carries another calendar's sync metadata"
        case .restored: "a deleted copy was restored, so it is made again"
        case .copyDeleted: "a copy was deleted in this calendar"
        }
    }
}
