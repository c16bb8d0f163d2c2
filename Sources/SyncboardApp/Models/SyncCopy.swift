import Fluent
import Foundation
import SyncboardCore

/// One copy in a job's index (see `CreateSyncCopies`).
final class SyncCopy: Model, @unchecked Sendable {
    static let schema = "sync_copies"

    @ID(key: .id) var id: UUID?
    @Parent(key: "job_id") var job: SyncJob
    /// The leg (source → destination calendar, Syncboard's ids) of the job this belongs to (`AddSyncJobLegs`).
    @Field(key: "source_calendar_id") var sourceCalendarID: UUID
    @Field(key: "destination_calendar_id") var destinationCalendarID: UUID
    @Field(key: "source_event_id") var sourceEventID: String
    @Field(key: "destination_event_id") var destinationEventID: String
    /// The copy's CalendarSync EventID.
    @Field(key: "sync_id") var syncID: String
    @Field(key: "content_hash") var contentHash: String

    init() {}

    init(jobID: UUID, leg: SyncJobSpec.Leg, sourceEventID: String, destinationEventID: String, syncID: String, contentHash: String) {
        $job.id = jobID
        sourceCalendarID = leg.source
        destinationCalendarID = leg.destination
        self.sourceEventID = sourceEventID
        self.destinationEventID = destinationEventID
        self.syncID = syncID
        self.contentHash = contentHash
    }
}
