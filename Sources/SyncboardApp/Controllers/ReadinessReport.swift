import Fluent
import Logging
import SyncEngines
import Vapor

/// What `/readyz` reports: each check with its state and a short detail a person can act on.
struct ReadinessReport: Content {
    struct Check: Content {
        let name: String
        let ok: Bool
        let detail: String
    }

    /// Whether CalendarSync runs in the bubblewrap sandbox (SYNCBOARD_SANDBOX), and whether the latest run did.
    struct Sandbox: Content {
        struct LastRun: Content {
            let id: UUID
            let sandboxed: Bool
            let startedAt: Date?
        }

        /// auto, on or off.
        let mode: String
        /// CalendarSync runs start in the sandbox now.
        let active: Bool
        let detail: String
        /// The latest run that started CalendarSync.
        let lastRun: LastRun?
    }

    let status: String
    /// This binary's version (SyncboardVersion).
    var version: String = SyncboardVersion.current
    let checks: [Check]
    var sandbox: Sandbox? = nil

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
        await calendarSync(configuration).check
    }

    /// The check, and whether runs start in the sandbox (nil when CalendarSync is missing or does not answer).
    /// With SYNCBOARD_SANDBOX=on, a sandbox that does not work makes the check fail: CLI runs are refused.
    static func calendarSync(_ configuration: AppConfiguration) async -> (check: Check, sandbox: CalendarSyncSandbox.Decision?) {
        let path = ProcessInfo.processInfo.environment["PATH"]
        guard let binary = CalendarSyncProcess.locate(configured: configuration.calendarSyncBinary, path: path) else {
            return (Check(name: "calendarsync", ok: configuration.engine != .calendarsync,
                          detail: "not found (set CALENDARSYNC_BIN or put calendarsync on PATH)"
                            + (configuration.engine == .auto ? "; jobs run on the built-in engine" : "")), nil)
        }
        guard let version = await CalendarSyncProcess.version(executable: binary) else {
            return (Check(name: "calendarsync", ok: false, detail: "\(binary) did not answer --version"), nil)
        }
        let sandbox = await CalendarSyncSandbox.decide(configuration, binary: binary, logger: Logger(label: "syncboard.calendarsync"))
        let refused = if case .refused = sandbox { true } else { false }
        return (Check(name: "calendarsync", ok: !refused, detail: "\(version) at \(binary); \(sandbox.readinessDetail)"), sandbox)
    }

    static func sandboxStatus(_ configuration: AppConfiguration, decision: CalendarSyncSandbox.Decision?, db: any Database) async throws -> Sandbox {
        let detail: String, active: Bool
        switch decision {
        case .sandboxed?: (active, detail) = (true, "CalendarSync runs in a bubblewrap sandbox")
        case let decision?: (active, detail) = (false, decision.readinessDetail)
        case nil: (active, detail) = (false, configuration.sandbox.mode == .off ? "runs without a sandbox: SYNCBOARD_SANDBOX=off"
                                                : "not in use: CalendarSync is not available")
        }
        let last = try await JobRun.query(on: db).filter(\.$sandboxed != nil).sort(\.$startedAt, .descending).first()
        return Sandbox(mode: configuration.sandbox.mode.rawValue, active: active, detail: detail,
                       lastRun: try last.map { Sandbox.LastRun(id: try $0.requireID(), sandboxed: $0.sandboxed ?? false, startedAt: $0.startedAt) })
    }

    static func check(app: Application, db: any Database) async -> ReadinessReport {
        var checks: [Check] = []
        var sandbox: Sandbox?
        do {
            let pending = try await DatabaseSetup.pendingMigrations(on: db)
            let unknown = try await SchemaCompatibility.unknownMigrations(on: db)
            checks.append(Check(name: "database", ok: true, detail: app.syncboard.configuration.database.summary))
            checks.append(!unknown.isEmpty
                ? Check(name: "migrations", ok: false, detail: DatabaseNewerThanBinary(unknownMigrations: unknown).description)
                : pending.isEmpty
                ? Check(name: "migrations", ok: true, detail: "all \(SyncboardMigrations.all.count) applied")
                : Check(name: "migrations", ok: false, detail: "\(pending.count) pending: run `syncboard migrate`"))
            checks.append(try await schedulerCheck(db: db))
            let calendarSync = await calendarSync(app.syncboard.configuration)
            checks.append(calendarSync.check)
            sandbox = try await sandboxStatus(app.syncboard.configuration, decision: calendarSync.sandbox, db: db)
        } catch {
            checks.append(Check(name: "database", ok: false, detail: "unreachable: \(DatabaseErrorDescription.describe(error))"))
        }
        let ready = checks.allSatisfy(\.ok)
        return ReadinessReport(status: ready ? "ready" : "not_ready", checks: checks, sandbox: sandbox)
    }
}
