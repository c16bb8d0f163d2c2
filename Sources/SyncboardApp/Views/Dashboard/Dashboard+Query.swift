import Fluent
import Foundation
import SQLKit
import SyncboardCore

/// The dashboard's queries, whatever the number of jobs: how many jobs there are, one page of them with their
/// calendars and accounts (source and destination joined, further ones in one more query), and the latest runs of
/// each job on that page with their directions' results (PostgreSQL: one LATERAL index scan per job; SQLite: a
/// window function).
enum DashboardQuery {
    static let recentRunCount = 12
    static let pageSize = 25

    struct Page: Sendable {
        let rows: [DashboardRow]
        let totalJobs: Int
        let page: Int
        var pageCount: Int { max(1, (totalJobs + DashboardQuery.pageSize - 1) / DashboardQuery.pageSize) }
    }

    static func page(_ page: Int, userID: UUID, on db: any Database, isPostgres: Bool) async throws -> Page {
        let total = try await SyncJob.query(on: db).filter(\.$user.$id == userID).count()
        let pageCount = max(1, (total + pageSize - 1) / pageSize)
        let page = min(max(1, page), pageCount)
        let rows = total == 0 ? [] : try await rows(userID: userID, offset: (page - 1) * pageSize, limit: pageSize, on: db, isPostgres: isPostgres)
        return Page(rows: rows, totalJobs: total, page: page)
    }

    static func rows(userID: UUID, offset: Int = 0, limit: Int = 10_000, on db: any Database, isPostgres: Bool) async throws -> [DashboardRow] {
        let sql = db.sql()
        let jobRows = try await sql.raw("""
            SELECT j.id, j.name, j.kind, j.enabled, j.next_run_at, j.status_reason, j.consecutive_failures, j.time_zone, j.feed_refresh_minutes,
                   CAST(j.cadence AS TEXT) AS cadence_json, CAST(j.more_calendar_ids AS TEXT) AS more_json,
                   sc.summary AS s_summary, sc.background_color AS s_color, sc.removed_at AS s_removed, sa.email AS s_email, sa.status AS s_status,
                   sc.provider AS s_provider,
                   dc.summary AS d_summary, dc.background_color AS d_color, dc.removed_at AS d_removed, da.email AS d_email, da.status AS d_status,
                   dc.provider AS d_provider
            FROM sync_jobs j
            LEFT JOIN calendars sc ON sc.id = j.source_calendar_id
            LEFT JOIN google_accounts sa ON sa.id = sc.account_id
            LEFT JOIN calendars dc ON dc.id = j.destination_calendar_id
            LEFT JOIN google_accounts da ON da.id = dc.account_id
            WHERE j.user_id = \(bind: userID)
            ORDER BY j.name, j.id
            LIMIT \(bind: limit) OFFSET \(bind: offset)
            """).all()
        let jobIDs = try jobRows.map { try $0.decode(column: "id", as: UUID.self) }
        guard !jobIDs.isEmpty else { return [] }

        let runRows: [any SQLRow]
        if isPostgres {
            runRows = try await sql.raw("""
                SELECT r.job_id, r.id, r.status, r.queued_at, r.finished_at, r.created_count, r.updated_count, r.deleted_count, r.error_summary,
                       CAST(r.legs AS TEXT) AS legs_json
                FROM unnest(\(bind: jobIDs)::uuid[]) AS j(id)
                CROSS JOIN LATERAL (
                  SELECT * FROM job_runs WHERE job_runs.job_id = j.id ORDER BY queued_at DESC LIMIT \(bind: recentRunCount)
                ) r
                """).all()
        } else {
            runRows = try await sql.raw("""
                SELECT job_id, id, status, queued_at, finished_at, created_count, updated_count, deleted_count, error_summary,
                       CAST(legs AS TEXT) AS legs_json FROM (
                  SELECT r.*, ROW_NUMBER() OVER (PARTITION BY r.job_id ORDER BY r.queued_at DESC) AS position
                  FROM job_runs r WHERE r.job_id IN (\(binds: jobIDs))
                ) ranked WHERE position <= \(bind: recentRunCount)
                """).all()
        }
        var runsByJob: [UUID: [DashboardRow.RecentRun]] = [:]
        for row in runRows {
            let run = DashboardRow.RecentRun(
                id: try row.decode(column: "id", as: UUID.self),
                status: JobRun.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
                queuedAt: try row.decode(column: "queued_at", as: Date.self),
                finishedAt: try row.decode(column: "finished_at", as: Date?.self),
                created: try row.decode(column: "created_count", as: Int?.self),
                updated: try row.decode(column: "updated_count", as: Int?.self),
                deleted: try row.decode(column: "deleted_count", as: Int?.self),
                errorSummary: try row.decode(column: "error_summary", as: String?.self),
                legs: Self.json(JobRun.StoredLegs.self, try row.decode(column: "legs_json", as: String?.self))?.legs ?? [])
            runsByJob[try row.decode(column: "job_id", as: UUID.self), default: []].append(run)
        }

        // A job's further calendars (destinations, a group's members after the first two) are a list in a JSON
        // column: fetched for the whole page at once.
        let moreByJob = try Dictionary(jobRows.map { row in
            (try row.decode(column: "id", as: UUID.self), Self.json(SyncJob.StoredCalendars.self, try row.decode(column: "more_json", as: String?.self))?.ids ?? [])
        }, uniquingKeysWith: { first, _ in first })
        let moreIDs = Array(Set(moreByJob.values.joined()))
        let moreCalendars = moreIDs.isEmpty ? [:] : Dictionary(
            try await LinkedCalendar.query(on: db).filter(\.$id ~~ moreIDs).with(\.$account).all().compactMap { calendar in
                calendar.id.map { ($0, DashboardRow.CalendarSide(summary: calendar.summary, accountEmail: calendar.account.email, color: calendar.backgroundColor,
                                                                 accountStatus: calendar.account.status, removed: calendar.removedAt != nil,
                                                                 provider: calendar.provider)) }
            }, uniquingKeysWith: { first, _ in first })
        let unlinked = DashboardRow.CalendarSide(summary: nil, accountEmail: nil, color: nil, accountStatus: nil, removed: false)

        return try jobRows.map { row in
            let id = try row.decode(column: "id", as: UUID.self)
            func side(_ prefix: String) throws -> DashboardRow.CalendarSide {
                DashboardRow.CalendarSide(
                    summary: try row.decode(column: "\(prefix)_summary", as: String?.self),
                    accountEmail: try row.decode(column: "\(prefix)_email", as: String?.self),
                    color: try row.decode(column: "\(prefix)_color", as: String?.self),
                    accountStatus: try row.decode(column: "\(prefix)_status", as: String?.self).flatMap(LinkedAccount.Status.init(rawValue:)),
                    removed: try row.decode(column: "\(prefix)_removed", as: Date?.self) != nil,
                    provider: try row.decode(column: "\(prefix)_provider", as: String?.self).flatMap(ProviderKind.init(rawValue:)) ?? .google)
            }
            return DashboardRow(
                id: id,
                name: try row.decode(column: "name", as: String.self),
                kind: SyncJobSpec.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .copy,
                enabled: try row.decode(column: "enabled", as: Bool.self),
                nextRunAt: try row.decode(column: "next_run_at", as: Date?.self),
                statusReason: try row.decode(column: "status_reason", as: String?.self),
                consecutiveFailures: try row.decode(column: "consecutive_failures", as: Int.self),
                cadenceJSON: try row.decode(column: "cadence_json", as: String.self),
                timeZone: try row.decode(column: "time_zone", as: String.self),
                feedRefreshMinutes: try row.decode(column: "feed_refresh_minutes", as: Int?.self),
                source: try side("s"), destination: try side("d"),
                more: (moreByJob[id] ?? []).map { moreCalendars[$0] ?? unlinked },
                recentRuns: (runsByJob[id] ?? []).sorted { $0.queuedAt > $1.queuedAt })
        }
    }

    /// A JSON column read as text (both databases can cast it), decoded; nil when empty or unreadable.
    private static func json<T: Decodable>(_ type: T.Type, _ text: String?) -> T? {
        text.flatMap { try? JSONDecoder().decode(type, from: Data($0.utf8)) }
    }
}
