import Fluent
import SyncEngines
import Vapor

/// What `/readyz` reports: each check with its state and a short detail a person can act on.
struct ReadinessReport: Content {
    struct Check: Content {
        let name: String
        let ok: Bool
        let detail: String
    }

    let status: String
    let checks: [Check]

    var isReady: Bool { checks.allSatisfy(\.ok) }

    /// Some scheduler (this process's or a worker's) has reported in recently.
    static func schedulerCheck(db: any Database, now: Date = Date()) async throws -> Check {
        let fresh = try await WorkerHeartbeat.query(on: db)
            .filter(\.$lastSeenAt > now.addingTimeInterval(-HeartbeatService.staleAfter)).all()
        guard !fresh.isEmpty else {
            return Check(name: "scheduler", ok: false,
                         detail: "no scheduler has reported in the last \(Int(HeartbeatService.staleAfter)) s: start `syncboard worker`, or serve without --no-scheduler")
        }
        let running = fresh.reduce(0) { $0 + $1.activeRuns }
        return Check(name: "scheduler", ok: true, detail: "\(fresh.count) scheduler(s) alive, \(running) run(s) in progress")
    }

    /// The CalendarSync binary and its version (`calendarsync --version`). Missing is only a failure when the
    /// configuration insists on it (SYNCBOARD_ENGINE=calendarsync).
    static func calendarSyncCheck(_ configuration: AppConfiguration) async -> Check {
        let path = ProcessInfo.processInfo.environment["PATH"]
        guard let binary = CalendarSyncProcess.locate(configured: configuration.calendarSyncBinary, path: path) else {
            return Check(name: "calendarsync", ok: configuration.engine != .calendarsync,
                         detail: "not found (set CALENDARSYNC_BIN or put calendarsync on PATH)"
                            + (configuration.engine == .auto ? "; jobs run on the built-in engine" : ""))
        }
        guard let version = await CalendarSyncProcess.version(executable: binary) else {
            return Check(name: "calendarsync", ok: false, detail: "\(binary) did not answer --version")
        }
        return Check(name: "calendarsync", ok: true, detail: "\(version) at \(binary)")
    }

    static func check(app: Application, db: any Database) async -> ReadinessReport {
        var checks: [Check] = []
        do {
            let pending = try await DatabaseSetup.pendingMigrations(on: db)
            checks.append(Check(name: "database", ok: true, detail: app.syncboard.configuration.database.summary))
            checks.append(pending.isEmpty
                ? Check(name: "migrations", ok: true, detail: "all \(SyncboardMigrations.all.count) applied")
                : Check(name: "migrations", ok: false, detail: "\(pending.count) pending: run `syncboard migrate`"))
            checks.append(try await schedulerCheck(db: db))
            checks.append(await calendarSyncCheck(app.syncboard.configuration))
        } catch {
            checks.append(Check(name: "database", ok: false, detail: "unreachable: \(DatabaseErrorDescription.describe(error))"))
        }
        let ready = checks.allSatisfy(\.ok)
        return ReadinessReport(status: ready ? "ready" : "not_ready", checks: checks)
    }
}
