import Fluent
import Foundation

/// What the job page shows: the job with its calendars and accounts, one page of runs, and the runs for the chart.
struct JobPageData {
    static let pageSize = 25

    /// One of the job's calendars with its account; nil calendar: no longer linked (its account was unlinked).
    struct JobCalendar {
        let calendar: LinkedCalendar?
        let account: LinkedAccount?
    }

    let job: SyncJob
    /// Every calendar the job names (source, destinations, a group's members), by Syncboard id.
    let calendars: [UUID: JobCalendar]
    let runs: [JobRun]
    let page: Int
    let totalRuns: Int
    /// The latest 30 runs, oldest first, for the chart.
    let chartRuns: [JobRun]
    /// How the job is kept in step (`JobSyncStatus`); nil when the page was loaded without the configuration.
    var syncStatus: JobSyncStatus? = nil
    /// Deletions that stick: the events whose copies the user deleted (`SyncTombstone`), by start.
    var deletedCopies: [SyncTombstone] = []
    /// The published calendars among the job's calendars (issue 29), by calendar id: their last fetch's health.
    var feeds: [UUID: FeedSubscriptionRecord] = [:]

    /// The calendar the job names with this id (nil id: none chosen, shown as unlinked too).
    func calendar(_ id: UUID?) -> JobCalendar { id.flatMap { calendars[$0] } ?? JobCalendar(calendar: nil, account: nil) }

    static func load(job: SyncJob, page: Int, on db: any Database, configuration: AppConfiguration? = nil) async throws -> JobPageData {
        let jobID = try job.requireID()
        let ids = job.spec.memberCalendarIDs
        let linked = ids.isEmpty ? [] : try await LinkedCalendar.query(on: db).filter(\.$id ~~ ids).with(\.$account).all()
        let calendars = Dictionary(linked.compactMap { calendar in calendar.id.map { ($0, JobCalendar(calendar: calendar, account: calendar.account)) } },
                                   uniquingKeysWith: { first, _ in first })
        let total = try await JobRun.query(on: db).filter(\.$job.$id == jobID).count()
        let runs = try await JobRun.query(on: db).filter(\.$job.$id == jobID).sort(\.$queuedAt, .descending)
            .range(((page - 1) * pageSize)..<(page * pageSize)).all()
        let chart = page == 1 ? Array(runs.prefix(30)) : try await JobRun.query(on: db).filter(\.$job.$id == jobID)
            .sort(\.$queuedAt, .descending).limit(30).all()
        var status: JobSyncStatus?
        if let configuration { status = try await JobSyncStatus.load(job: job, configuration: configuration, on: db) }
        return JobPageData(
            job: job, calendars: calendars,
            runs: runs, page: page, totalRuns: total, chartRuns: chart.reversed(),
            syncStatus: status,
            deletedCopies: try await TombstoneStore.all(of: jobID, on: db),
            feeds: try await AccountsAPIController.feeds(of: linked, on: db))
    }
}
