import Fluent
import Foundation
import SQLKit

/// The numbers behind the insights page, from the local telemetry (which outlives pruned runs).
struct InsightsData {
    struct DayCount { let day: String; let counts: [String: Int] }
    struct JobStats { let jobID: UUID; let name: String; let runs: Int; let succeeded: Int; let medianMilliseconds: Int? }

    var days: [String]
    var pageViews: [String: [String: Int]]  // page → day → count
    var runsPerDay: [DayCount]
    var jobs: [JobStats]

    static func load(userID: UUID, on db: any Database, days dayCount: Int = 14, now: Date = Date()) async throws -> InsightsData {
        let days = (0..<dayCount).reversed().map { TelemetryEvent.day(of: now.addingTimeInterval(-Double($0) * 86_400)) }
        let since = days.first ?? TelemetryEvent.day(of: now)
        let sql = db.sql()

        let viewRows = try await sql.raw("""
            SELECT name, day, COUNT(*) AS n FROM telemetry_events
            WHERE kind = 'page_view' AND user_id = \(bind: userID) AND day >= \(bind: since)
            GROUP BY name, day
            """).all()
        var pageViews: [String: [String: Int]] = [:]
        for row in viewRows {
            pageViews[try row.decode(column: "name", as: String.self), default: [:]][try row.decode(column: "day", as: String.self)] =
                try row.decode(column: "n", as: Int.self)
        }

        let runRows = try await sql.raw("""
            SELECT t.name AS outcome, t.day AS day, COUNT(*) AS n FROM telemetry_events t
            JOIN sync_jobs j ON j.id = t.job_id
            WHERE t.kind = 'run_outcome' AND j.user_id = \(bind: userID) AND t.day >= \(bind: since)
            GROUP BY t.name, t.day
            """).all()
        var perDay: [String: [String: Int]] = [:]
        for row in runRows {
            perDay[try row.decode(column: "day", as: String.self), default: [:]][try row.decode(column: "outcome", as: String.self)] =
                try row.decode(column: "n", as: Int.self)
        }

        let monthAgo = TelemetryEvent.day(of: now.addingTimeInterval(-30 * 86_400))
        let jobRows = try await sql.raw("""
            SELECT j.id AS job_id, j.name AS name, t.name AS outcome, t.value AS value FROM telemetry_events t
            JOIN sync_jobs j ON j.id = t.job_id
            WHERE t.kind = 'run_outcome' AND j.user_id = \(bind: userID) AND t.day >= \(bind: monthAgo)
            """).all()
        var byJob: [UUID: (name: String, runs: Int, ok: Int, durations: [Double])] = [:]
        for row in jobRows {
            let id = try row.decode(column: "job_id", as: UUID.self)
            let name = try row.decode(column: "name", as: String.self)
            var entry = byJob[id] ?? (name, 0, 0, [])
            entry.runs += 1
            if try row.decode(column: "outcome", as: String.self) == JobRun.Status.succeeded.rawValue { entry.ok += 1 }
            if let value = try row.decodeNil(column: "value") ? nil : try row.decode(column: "value", as: Double.self) { entry.durations.append(value) }
            byJob[id] = entry
        }
        let jobs = byJob.map { id, entry in
            JobStats(jobID: id, name: entry.name, runs: entry.runs, succeeded: entry.ok, medianMilliseconds: median(entry.durations))
        }.sorted { $0.name < $1.name }

        return InsightsData(days: days, pageViews: pageViews,
                            runsPerDay: days.map { DayCount(day: $0, counts: perDay[$0] ?? [:]) }, jobs: jobs)
    }

    static func median(_ values: [Double]) -> Int? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return Int(sorted.count % 2 == 0 ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle])
    }
}
