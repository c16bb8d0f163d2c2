import Fluent
import Foundation

/// One copy in a job's index (see `CreateSyncCopies`).
final class SyncCopy: Model, @unchecked Sendable {
    static let schema = "sync_copies"

    @ID(key: .id) var id: UUID?
    @Parent(key: "job_id") var job: SyncJob
    @Field(key: "source_event_id") var sourceEventID: String
    @Field(key: "destination_event_id") var destinationEventID: String
    /// The copy's CalendarSync EventID.
    @Field(key: "sync_id") var syncID: String
    @Field(key: "content_hash") var contentHash: String

    init() {}

    init(jobID: UUID, sourceEventID: String, destinationEventID: String, syncID: String, contentHash: String) {
        $job.id = jobID
        self.sourceEventID = sourceEventID
        self.destinationEventID = destinationEventID
        self.syncID = syncID
        self.contentHash = contentHash
    }
}
