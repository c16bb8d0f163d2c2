import Foundation
import SyncboardCore

/// One direction of a run of a job with several (source → one destination; `SyncJobSpec.legs`): its own result,
/// counts and error, kept on the run (`job_runs.legs`, `AddSyncJobLegs`) so a failing destination is told apart
/// from the ones that synced.
struct RunLeg: Codable, Sendable, Equatable {
    var sourceCalendarID: UUID
    var destinationCalendarID: UUID
    /// The calendars' names when the run wrote them (a later rename does not rewrite history).
    var source: String
    var destination: String
    var status: JobRun.Status
    var created: Int
    var updated: Int
    var deleted: Int
    var error: String?
    /// "incremental" or "full".
    var syncKind: SyncKind?

    var leg: SyncJobSpec.Leg { .init(source: sourceCalendarID, destination: destinationCalendarID) }
}

extension JobRun {
    /// A JSON object around the list (a bare array would become a PostgreSQL array, see `SyncJob.StoredSteps`).
    struct StoredLegs: Codable, Sendable {
        var legs: [RunLeg]
    }
}
