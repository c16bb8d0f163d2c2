import Fluent
import Foundation
import SyncboardCore

/// A sync job: source → destination calendar, what is copied and skipped, the window, the cadence
/// (see `CreateSyncJobs`). `spec` converts to and from the storage-free `SyncJobSpec` of the core.
final class SyncJob: Model, @unchecked Sendable {
    static let schema = "sync_jobs"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "name") var name: String
    /// A copy into one or more destinations, or a group (`AddSyncJobLegs`).
    @Field(key: "kind") var kind: SyncJobSpec.Kind
    @OptionalParent(key: "source_calendar_id") var sourceCalendar: LinkedCalendar?
    @OptionalParent(key: "destination_calendar_id") var destinationCalendar: LinkedCalendar?
    /// Further destinations, or a group's members after the first two (`SyncJobSpec.moreCalendarIDs`).
    @OptionalField(key: "more_calendar_ids") var storedMoreCalendars: StoredCalendars?
    @Field(key: "transformers") var storedTransformers: StoredSteps
    @Field(key: "filters") var storedFilters: StoredSteps
    @Field(key: "window_start_identifier") var windowStartIdentifier: String
    @Field(key: "window_start_offset") var windowStartOffset: Int
    @Field(key: "window_end_identifier") var windowEndIdentifier: String
    @Field(key: "window_end_offset") var windowEndOffset: Int
    @Field(key: "cadence") var cadence: Cadence
    @Field(key: "time_zone") var timeZone: String
    @Field(key: "update_concurrency") var updateConcurrency: Int
    /// Copies the user deleted in the destination stay deleted (`AddSyncJobDeletionsStick`, built-in engine).
    @Field(key: "deletions_stick") var deletionsStick: Bool
    @Field(key: "enabled") var enabled: Bool
    @OptionalField(key: "next_run_at") var nextRunAt: Date?
    /// Why the job is paused or needs the user, in words.
    @OptionalField(key: "status_reason") var statusReason: String?
    @Field(key: "consecutive_failures") var consecutiveFailures: Int
    /// Incremental runs that found nothing to do: counted here instead of listed as runs (`AddSyncJobQuietChecks`).
    @Field(key: "quiet_checks") var quietChecks: Int
    @OptionalField(key: "last_quiet_check_at") var lastQuietCheckAt: Date?
    /// When a push notification made the job due; its run goes before scheduled ones (`AddSyncJobPushedAt`).
    @OptionalField(key: "pushed_at") var pushedAt: Date?
    /// The shortest refresh interval of the published calendars the job reads (`AddFeedRefreshAndFailures`), set when
    /// the job is saved; nil when it reads none. The job runs at least this often (`nextRun`).
    @OptionalField(key: "feed_refresh_minutes") var feedRefreshMinutes: Int?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    /// A JSON object around the list: Fluent's PostgreSQL driver writes a bare Swift array as a PostgreSQL array
    /// (jsonb[]), not as one jsonb document.
    struct StoredSteps: Codable, Sendable {
        var steps: [ConfiguredStep]
    }

    struct StoredCalendars: Codable, Sendable {
        var ids: [UUID]
    }

    var moreCalendarIDs: [UUID] {
        get { storedMoreCalendars?.ids ?? [] }
        set { storedMoreCalendars = newValue.isEmpty ? nil : StoredCalendars(ids: newValue) }
    }

    var transformers: [ConfiguredStep] {
        get { storedTransformers.steps }
        set { storedTransformers = StoredSteps(steps: newValue) }
    }

    var filters: [ConfiguredStep] {
        get { storedFilters.steps }
        set { storedFilters = StoredSteps(steps: newValue) }
    }

    init() {}

    init(userID: UUID, spec: SyncJobSpec) {
        self.$user.id = userID
        self.enabled = true
        self.consecutiveFailures = 0
        self.quietChecks = 0
        apply(spec)
    }

    var window: SyncWindow {
        SyncWindow(start: .init(SyncWindow.Identifier(rawValue: windowStartIdentifier) ?? .monthStart, offset: windowStartOffset),
                   end: .init(SyncWindow.Identifier(rawValue: windowEndIdentifier) ?? .monthEnd, offset: windowEndOffset))
    }

    var spec: SyncJobSpec {
        SyncJobSpec(name: name, kind: kind, sourceCalendarID: $sourceCalendar.id, destinationCalendarID: $destinationCalendar.id,
                    moreCalendarIDs: moreCalendarIDs,
                    transformers: transformers, filters: filters, window: window, cadence: cadence, timeZone: timeZone,
                    updateConcurrency: updateConcurrency, deletionsStick: deletionsStick)
    }

    func apply(_ spec: SyncJobSpec) {
        name = spec.name
        kind = spec.kind
        moreCalendarIDs = spec.moreCalendarIDs
        $sourceCalendar.id = spec.sourceCalendarID
        $destinationCalendar.id = spec.destinationCalendarID
        transformers = spec.transformers
        filters = spec.filters
        windowStartIdentifier = spec.window.start.identifier.rawValue
        windowStartOffset = spec.window.start.offset
        windowEndIdentifier = spec.window.end.identifier.rawValue
        windowEndOffset = spec.window.end.offset
        cadence = spec.cadence
        timeZone = spec.timeZone
        updateConcurrency = spec.updateConcurrency
        deletionsStick = spec.deletionsStick
    }

    /// The calendars whose changes a run copies: the source, or every member of a group (what push channels watch).
    var sourceCalendarIDs: Set<UUID> { Set(spec.legs.map(\.source)) }

    /// A user's jobs that read or write any of `calendarIDs` (as source, destination or member), by name.
    static func using(_ calendarIDs: [UUID], userID: UUID, on db: any Database) async throws -> [SyncJob] {
        let wanted = Set(calendarIDs)
        guard !wanted.isEmpty else { return [] }
        return try await SyncJob.query(on: db).filter(\.$user.$id == userID).sort(\.$name).all()
            .filter { !wanted.isDisjoint(with: $0.spec.memberCalendarIDs) }
    }

    /// The next run strictly after `date`, from the cadence in the job's time zone, or sooner when a published
    /// calendar it reads is due for its refresh: the shorter of the two. A feed cannot tell anyone it changed, so its
    /// refresh interval is the promise that a change reaches the destinations within it; a quiet refresh costs one
    /// conditional GET (a 304), and the cadence still rules when it is the shorter (real time, or a feed refreshed
    /// hourly in an every-15-minutes job). `feedMinute` is a minute's length (tests shorten it).
    func nextRun(after date: Date, realtimeInterval: TimeInterval = Cadence.realtimeCheckInterval, feedMinute: TimeInterval = 60) -> Date? {
        guard let id, let zone = TimeZone(identifier: timeZone) else { return nil }
        let scheduled = cadence.next(after: date, timeZone: zone, jobID: id, realtimeInterval: realtimeInterval)
        guard let minutes = feedRefreshMinutes, minutes > 0 else { return scheduled }
        let refresh = date.addingTimeInterval(TimeInterval(minutes) * feedMinute)
        return scheduled.map { min($0, refresh) } ?? refresh
    }
}
