import Fluent
import Foundation
import SyncboardCore

/// A job's built-in engine sync state (see `CreateSyncStates`); its index of copies is `SyncCopy`.
final class SyncState: Model, @unchecked Sendable {
    static let schema = "sync_states"

    @ID(key: .id) var id: UUID?
    @Parent(key: "job_id") var job: SyncJob
    /// The leg (source → destination calendar, Syncboard's ids) of the job this belongs to (`AddSyncJobLegs`).
    @Field(key: "source_calendar_id") var sourceCalendarID: UUID
    @Field(key: "destination_calendar_id") var destinationCalendarID: UUID
    /// The source calendar's token for listing what changed since.
    @Field(key: "sync_token") var syncToken: String
    /// The window the index covers; when the job's window moves, a full reconciliation follows.
    @Field(key: "window_start") var windowStart: Date
    @Field(key: "window_end") var windowEnd: Date
    /// `SyncDefinition.fingerprint` of the job the state was built for.
    @Field(key: "definition_fingerprint") var definitionFingerprint: String
    @Field(key: "last_full_at") var lastFullAt: Date
    @Field(key: "last_full_reason") var lastFullReason: String
    /// The run that last wrote the state, and when: a later run of the job by anyone else invalidates it.
    @OptionalField(key: "last_run_id") var lastRunID: UUID?
    @Field(key: "last_run_at") var lastRunAt: Date
    /// Set while a run writes and left set when it fails part-way: the index may not match the sink.
    @OptionalField(key: "incomplete_run_id") var incompleteRunID: UUID?

    init() {}
}
