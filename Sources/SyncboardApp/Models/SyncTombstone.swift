import Fluent
import Foundation
import SyncboardCore

/// An original whose copy the user deleted in the destination, for a job whose deletions stick (see
/// `CreateSyncTombstones`): its copy is not made again until the user restores it.
final class SyncTombstone: Model, @unchecked Sendable {
    static let schema = "sync_tombstones"

    @ID(key: .id) var id: UUID?
    @Parent(key: "job_id") var job: SyncJob
    /// The leg (source → destination calendar, Syncboard's ids) of the job this belongs to (`AddSyncJobLegs`).
    @Field(key: "source_calendar_id") var sourceCalendarID: UUID
    @Field(key: "destination_calendar_id") var destinationCalendarID: UUID
    @Field(key: "source_event_id") var sourceEventID: String
    /// The original's title and start, for the job page.
    @Field(key: "title") var title: String
    @Field(key: "starts_at") var startsAt: Date
    /// When a run found the copy deleted.
    @Field(key: "deleted_seen_at") var deletedSeenAt: Date
    /// Set by Restore: the next run makes the copy again (a full reconciliation) and removes the row.
    @OptionalField(key: "restored_at") var restoredAt: Date?

    init() {}

    init(jobID: UUID, leg: SyncJobSpec.Leg, sourceEventID: String, title: String, startsAt: Date, deletedSeenAt: Date) {
        $job.id = jobID
        sourceCalendarID = leg.source
        destinationCalendarID = leg.destination
        self.sourceEventID = sourceEventID
        self.title = title
        self.startsAt = startsAt
        self.deletedSeenAt = deletedSeenAt
    }
}
