import Fluent
import Foundation

/// A sync job: source → destination calendar, on a cadence (see `CreateSyncJobs`).
final class SyncJob: Model, @unchecked Sendable {
    static let schema = "sync_jobs"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "name") var name: String
    @OptionalParent(key: "source_calendar_id") var sourceCalendar: LinkedCalendar?
    @OptionalParent(key: "destination_calendar_id") var destinationCalendar: LinkedCalendar?
    @Field(key: "enabled") var enabled: Bool
    @OptionalField(key: "next_run_at") var nextRunAt: Date?
    /// Why the job is paused or needs the user, in words.
    @OptionalField(key: "status_reason") var statusReason: String?
    @Field(key: "consecutive_failures") var consecutiveFailures: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}
