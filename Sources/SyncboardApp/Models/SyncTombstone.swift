import Fluent
import Foundation

/// An original whose copy the user deleted in the destination, for a job whose deletions stick (see
/// `CreateSyncTombstones`): its copy is not made again until the user restores it.
final class SyncTombstone: Model, @unchecked Sendable {
    static let schema = "sync_tombstones"

    @ID(key: .id) var id: UUID?
    @Parent(key: "job_id") var job: SyncJob
    @Field(key: "source_event_id") var sourceEventID: String
    /// The original's title and start, for the job page.
    @Field(key: "title") var title: String
    @Field(key: "starts_at") var startsAt: Date
    /// When a run found the copy deleted.
    @Field(key: "deleted_seen_at") var deletedSeenAt: Date
    /// Set by Restore: the next run makes the copy again (a full reconciliation) and removes the row.
    @OptionalField(key: "restored_at") var restoredAt: Date?

    init() {}

    init(jobID: UUID, sourceEventID: String, title: String, startsAt: Date, deletedSeenAt: Date) {
        $job.id = jobID
        self.sourceEventID = sourceEventID
        self.title = title
        self.startsAt = startsAt
        self.deletedSeenAt = deletedSeenAt
    }
}
