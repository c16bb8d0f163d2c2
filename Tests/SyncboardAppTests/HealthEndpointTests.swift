import Foundation
import Testing
import VaporTesting
@testable import SyncboardApp

@Suite("/healthz, /readyz and /metrics")
struct HealthEndpointTests {
    @Test("/healthz answers while the process is up", arguments: TestDatabase.all)
    func health(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            try await app.testing().test(.GET, "healthz") { response async throws in
                #expect(response.status == .ok)
                #expect(try response.content.decode(HealthController.Health.self).status == "ok")
            }
        }
    }

    @Test("/readyz is ready when the database is reachable and migrated and a scheduler reports in", arguments: TestDatabase.all)
    func ready(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            try await WorkerHeartbeat(id: "w1", role: "worker", startedAt: Date(), lastSeenAt: Date()).create(on: app.db)
            try await app.testing().test(.GET, "readyz") { response async throws in
                #expect(response.status == .ok)
                let report = try response.content.decode(ReadinessReport.self)
                #expect(report.status == "ready")
                #expect(report.checks.map(\.name) == ["database", "migrations", "scheduler", "calendarsync"])
            }
        }
    }

    @Test("/readyz reports the CalendarSync binary and its version")
    func calendarSyncVersion() async throws {
        var configuration = try TestApp.configuration(database: .sqliteInMemory)
        configuration.calendarSyncBinary = CalendarSyncRunExecutorTests.standin
        let found = await ReadinessReport.calendarSyncCheck(configuration)
        #expect(found.ok && found.detail.hasPrefix("v0.11.0-standin at "))
        configuration.calendarSyncBinary = "/nonexistent/calendarsync"
        let missing = await ReadinessReport.calendarSyncCheck(configuration)
        #expect(missing.ok, "missing is fine unless the CLI engine is required")
        #expect(missing.detail.hasSuffix("jobs run on the built-in engine"), "and says which engine runs instead")
        configuration.engine = .calendarsync
        let required = await ReadinessReport.calendarSyncCheck(configuration)
        #expect(!required.ok && required.detail.contains("CALENDARSYNC_BIN") && !required.detail.contains("built-in"))
    }

    @Test("/readyz is not ready when no scheduler has reported recently, and says what to start", arguments: TestDatabase.all)
    func noScheduler(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            try await WorkerHeartbeat(id: "old", role: "worker", startedAt: Date(timeIntervalSinceNow: -600),
                                      lastSeenAt: Date(timeIntervalSinceNow: -300)).create(on: app.db)
            try await app.testing().test(.GET, "readyz") { response async throws in
                #expect(response.status == .serviceUnavailable)
                let report = try response.content.decode(ReadinessReport.self)
                let scheduler = try #require(report.checks.first { $0.name == "scheduler" })
                #expect(!scheduler.ok)
                #expect(scheduler.detail.contains("syncboard worker"))
            }
        }
    }

    @Test("/readyz answers 503 and says what to do while migrations are pending", arguments: TestDatabase.all)
    func notMigrated(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database, migrated: false) { app in
            try await app.testing().test(.GET, "readyz") { response async throws in
                #expect(response.status == .serviceUnavailable)
                let report = try response.content.decode(ReadinessReport.self)
                #expect(report.status == "not_ready")
                let migrations = try #require(report.checks.first { $0.name == "migrations" })
                #expect(!migrations.ok)
                #expect(migrations.detail.contains("syncboard migrate"))
            }
        }
    }

    @Test("/metrics counts requests by route pattern and status in Prometheus text format")
    func metrics() async throws {
        MetricsSetup.bootstrap()
        try await TestApp.withApp(on: .sqlite) { app in
            let tester = try app.testing()
            try await tester.test(.GET, "healthz") { #expect($0.status == .ok) }
            try await tester.test(.GET, "no-such-page") { #expect($0.status == .notFound) }
            try await tester.test(.GET, "metrics") { response async throws in
                #expect(response.status == .ok)
                #expect(response.headers.contentType?.description.hasPrefix("text/plain") == true)
                let text = response.body.string
                #expect(text.contains("# TYPE http_requests_total counter"))
                #expect(text.contains(#"http_requests_total{method="GET",path="/healthz",status="200"}"#))
                #expect(text.contains(#"http_request_duration_seconds_bucket{method="GET",path="/healthz",status="200",le="0.005"}"#))
                #expect(text.contains(#"status="404""#))
            }
        }
    }
}
