import Fluent
import Foundation

/// What the job page shows: the job with its calendars and accounts, one page of runs, and the runs for the chart.
struct JobPageData {
    static let pageSize = 25

    let job: SyncJob
    let source: LinkedCalendar?
    let sourceAccount: GoogleAccount?
    let destination: LinkedCalendar?
    let destinationAccount: GoogleAccount?
    let runs: [JobRun]
    let page: Int
    let totalRuns: Int
    /// The latest 30 runs, oldest first, for the chart.
    let chartRuns: [JobRun]
    /// How the job is kept in step (`JobSyncStatus`); nil when the page was loaded without the configuration.
    var syncStatus: JobSyncStatus? = nil
    /// Deletions that stick: the events whose copies the user deleted (`SyncTombstone`), by start.
    var deletedCopies: [SyncTombstone] = []

    static func load(job: SyncJob, page: Int, on db: any Database, configuration: AppConfiguration? = nil) async throws -> JobPageData {
        let jobID = try job.requireID()
        let source = try await job.$sourceCalendar.get(on: db)
        let destination = try await job.$destinationCalendar.get(on: db)
        let accountIDs = [source?.$account.id, destination?.$account.id].compactMap { $0 }
        let accounts = accountIDs.isEmpty ? [] : try await GoogleAccount.query(on: db).filter(\.$id ~~ accountIDs).all()
        let total = try await JobRun.query(on: db).filter(\.$job.$id == jobID).count()
        let runs = try await JobRun.query(on: db).filter(\.$job.$id == jobID).sort(\.$queuedAt, .descending)
            .range(((page - 1) * pageSize)..<(page * pageSize)).all()
        let chart = page == 1 ? Array(runs.prefix(30)) : try await JobRun.query(on: db).filter(\.$job.$id == jobID)
            .sort(\.$queuedAt, .descending).limit(30).all()
        var status: JobSyncStatus?
        if let configuration { status = try await JobSyncStatus.load(job: job, configuration: configuration, on: db) }
        return JobPageData(
            job: job, source: source, sourceAccount: accounts.first { $0.id == source?.$account.id },
            destination: destination, destinationAccount: accounts.first { $0.id == destination?.$account.id },
            runs: runs, page: page, totalRuns: total, chartRuns: chart.reversed(),
            syncStatus: status,
            deletedCopies: try await TombstoneStore.all(of: jobID, on: db))
    }
}
