import Fluent
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

    static func check(app: Application, db: any Database) async -> ReadinessReport {
        var checks: [Check] = []
        do {
            let pending = try await DatabaseSetup.pendingMigrations(on: db)
            checks.append(Check(name: "database", ok: true, detail: app.syncboard.configuration.database.summary))
            checks.append(pending.isEmpty
                ? Check(name: "migrations", ok: true, detail: "all \(SyncboardMigrations.all.count) applied")
                : Check(name: "migrations", ok: false, detail: "\(pending.count) pending: run `syncboard migrate`"))
        } catch {
            checks.append(Check(name: "database", ok: false, detail: "unreachable: \(DatabaseErrorDescription.describe(error))"))
        }
        let ready = checks.allSatisfy(\.ok)
        return ReadinessReport(status: ready ? "ready" : "not_ready", checks: checks)
    }
}
