import AsyncHTTPClient
import Fluent
import Foundation
import SQLKit
import Testing
import Yams
@testable import SyncboardApp

/// deploy/prometheus/alerts.yml: well-formed alerting rules whose every metric a running `syncboard serve` exports
/// (and, where promtool is installed, rules that promtool loads).
@Suite("Example Prometheus alert rules")
struct AlertRulesTests {
    static let file = VersionTests.repositoryRoot.appendingPathComponent("deploy/prometheus/alerts.yml")

    struct Rule {
        let alert: String
        let expr: String
    }

    static func rules() throws -> [Rule] {
        let text = try String(contentsOf: file, encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let groups = try #require(document["groups"] as? [[String: Any]])
        var rules: [Rule] = []
        for group in groups {
            #expect(group["name"] is String)
            for rule in try #require(group["rules"] as? [[String: Any]]) {
                let alert = try #require(rule["alert"] as? String)
                let expr = try #require(rule["expr"] as? String, "\(alert) has no expr")
                let labels = try #require(rule["labels"] as? [String: Any], "\(alert) has no labels")
                #expect(["critical", "warning", "info"].contains(labels["severity"] as? String ?? ""), "\(alert): severity")
                #expect((rule["annotations"] as? [String: Any])?["summary"] is String, "\(alert) has no summary")
                if let duration = rule["for"] { #expect((duration as? String)?.wholeMatch(of: /\d+[smh]/) != nil, "\(alert): for") }
                rules.append(Rule(alert: alert, expr: expr))
            }
        }
        return rules
    }

    /// The metric names an expression reads (histogram series reduced to their metric).
    static func metricNames(in expr: String) -> Set<String> {
        let withoutMatchers = expr.replacing(/\{[^}]*\}/, with: "")
        return Set(withoutMatchers.matches(of: /\b(syncboard_[a-z_]+|http_[a-z_]+)\b/).map { match in
            String(match.1).replacing(/_(bucket|sum|count)$/, with: "")
        })
    }

    @Test("the rules cover run failures, scheduler lag and heartbeats, and name only metrics `syncboard serve` exports")
    func rulesNameExportedMetrics() async throws {
        let rules = try Self.rules()
        let names = Set(rules.map(\.alert))
        for required in ["SyncboardRunFailureRateHigh", "SyncboardSchedulerLagging", "SyncboardNoSchedulerHeartbeat", "SyncboardNotificationDeliveryFailing"] {
            #expect(names.contains(required), "missing \(required)")
        }
        let used = rules.reduce(into: Set<String>()) { $0.formUnion(Self.metricNames(in: $1.expr)) }
        #expect(used.isSuperset(of: ["syncboard_runs_total", "syncboard_scheduler_lag_seconds", "syncboard_schedulers_alive",
                                     "syncboard_notification_deliveries_total"]), "\(used)")

        // A real server with a due job on the no-op engine: once its run is recorded, every metric has a series.
        let directory = try TestApp.temporaryDirectory()
        let data = directory.appendingPathComponent("data")
        let configuration = try TestApp.configuration(database: .sqlite(path: data.appendingPathComponent("syncboard.sqlite").path), dataDirectory: data)
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try await BackupRestoreTests.withApp(configuration) { app in
            let filled = try await OperationsFixtures.fill(app.db, vault: app.syncboard.vault)
            try await app.db.sql().update("sync_jobs").set("next_run_at", to: SQLBind(Date(timeIntervalSinceNow: -30)))
                .where("id", .equal, SQLBind(filled.jobID)).run()
            // An email due now, to an SMTP server that is not there: its attempt fails and is counted.
            let user = try #require(try await User.query(on: app.db).first())
            let notice = Notice(userID: try user.requireID(), incidentID: nil, jobID: filled.jobID, accountID: nil, category: .problems, event: .opened,
                                title: "“Kept job” failed", body: "It failed.", actionLabel: "See the last run", actionPath: "/",
                                dedupKey: "alert-rules-test", createdAt: Date())
            try await notice.create(on: app.db)
            let message = OutboxMessage(userID: try user.requireID(), channel: .email, destination: user.email, dedupKey: "alert-rules-test",
                                        deliverAfter: Date(timeIntervalSinceNow: -1), createdAt: Date())
            try await message.create(on: app.db)
            try await OutboxItem(messageID: try message.requireID(), noticeID: try notice.requireID()).create(on: app.db)
        }
        let closedPort = try ChildProcess.freePort()
        let child = try ChildProcess.start(["serve", "--port", "0"],
                                           environment: ["SYNCBOARD_DATA_DIR": data.path, "SYNCBOARD_ENCRYPTION_KEYS": VersionTests.keys,
                                                         "SYNCBOARD_ENGINE": "noop", "SYNCBOARD_LOG_LEVEL": "notice",
                                                         "SYNCBOARD_SMTP_URL": "smtp+starttls://127.0.0.1:\(closedPort)", "SYNCBOARD_SMTP_FROM": "syncboard@example.org"],
                                           directory: directory)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var exposition = ""
        do {
            let base = "http://127.0.0.1:\(try await child.servedPort())"
            _ = try await CommandLineTests.waitForResponse(client, "\(base)/healthz")
            // Google's push endpoint, with a channel nobody opened: counted as ignored.
            var push = HTTPClientRequest(url: "\(base)/google/notifications")
            push.method = .POST
            for (name, value) in [("X-Goog-Channel-ID", "unknown"), ("X-Goog-Channel-Token", "x"), ("X-Goog-Resource-ID", "r"),
                                  ("X-Goog-Resource-State", "exists")] { push.headers.add(name: name, value: value) }
            _ = try await client.execute(push, timeout: .seconds(30))
            // On timeout the checks below say which series are missing.
            do {
                try await eventually(timeout: .seconds(90), every: .milliseconds(500), "the metrics show every series the rules use") {
                    let response = try await client.execute(HTTPClientRequest(url: "\(base)/metrics"), timeout: .seconds(30))
                    exposition = String(buffer: try await response.body.collect(upTo: 1 << 22))
                    return used.allSatisfy({ exposition.contains("\n\($0)") || exposition.hasPrefix($0) })
                        && exposition.contains(Self.failedEmails + " 1")
                }
            } catch is EventuallyTimeout {}
            child.signal(SIGTERM)
            try await child.waitForExit(timeout: .seconds(30))
            try await client.shutdown()
        } catch {
            child.process.terminate()
            try? await client.shutdown()
            throw error
        }
        let exported = Set(exposition.split(separator: "\n").compactMap { line -> String? in
            guard !line.hasPrefix("#"), let name = line.split(whereSeparator: { $0 == "{" || $0 == " " }).first else { return nil }
            return String(name).replacing(/_(bucket|sum|count)$/, with: "")
        })
        for rule in rules {
            let missing = Self.metricNames(in: rule.expr).subtracting(exported)
            #expect(missing.isEmpty, "\(rule.alert) reads \(missing.sorted()), which /metrics does not export")
        }
        #expect(exposition.contains(#"syncboard_schedulers_alive 1"#), "the in-process scheduler's heartbeat is counted")
        #expect(exposition.contains(Self.failedEmails + " 1"), "the failed email attempt is counted")
        #expect(exposition.contains(#"syncboard_notification_deliveries_total{channel="webhook",result="failed"} 0"#),
                "every delivery series exists from the start, at zero")
    }

    static let failedEmails = #"syncboard_notification_deliveries_total{channel="email",result="failed"}"#

    @Test("promtool loads the rules (when promtool is installed)")
    func promtoolChecks() async throws {
        let candidates = [ProcessInfo.processInfo.environment["PROMTOOL"], "/usr/bin/promtool"].compactMap { $0 }
        guard let promtool = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return }
        let result = try await ToolProcess.run(URL(fileURLWithPath: promtool), ["check", "rules", Self.file.path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("SUCCESS"), "\(result.output)")
    }
}
