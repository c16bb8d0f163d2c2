import Fluent
import Foundation
import Metrics

/// Gauges read from the database when /metrics is scraped, so that any one web process reports on every scheduler
/// (workers run in other processes, and a dead one cannot report its own absence):
/// `syncboard_schedulers_alive` (schedulers whose heartbeat is fresh), `syncboard_scheduler_heartbeat_age_seconds`
/// (since the freshest heartbeat) and `syncboard_runs_in_progress`.
enum SchedulerHealthMetrics {
    static func record(db: any Database, now: Date = Date()) async {
        do {
            let heartbeats = try await WorkerHeartbeat.query(on: db).all()
            let fresh = heartbeats.filter { $0.lastSeenAt > now.addingTimeInterval(-HeartbeatService.staleAfter) }
            Gauge(label: "syncboard_schedulers_alive").record(fresh.count)
            Gauge(label: "syncboard_runs_in_progress").record(fresh.reduce(0) { $0 + $1.activeRuns })
            if let latest = heartbeats.map(\.lastSeenAt).max() {
                Gauge(label: "syncboard_scheduler_heartbeat_age_seconds").record(max(0, now.timeIntervalSince(latest)))
            }
        } catch {
            // The database is unreachable: /readyz says so; the gauges keep their last values.
        }
    }
}
