import AsyncHTTPClient
import EmulatorTestKit
import Fluent
import Foundation
@testable import GoogleEmulator
import Synchronization
import SyncboardCore
import Testing
import Vapor
@testable import SyncboardApp

/// OpenTelemetry traces from the real binary: `syncboard serve` with OTEL_EXPORTER_OTLP_ENDPOINT exports to a small
/// OTLP/HTTP (JSON) receiver in the test; one built-in run against the emulator makes one trace with its claim,
/// engine (preparation and Google calls inside) and record; requests carry the request id of their log line; no
/// token, secret or event content is in anything exported.
@Suite("Traces over OTLP")
struct TracingTests {
    static let source = "work@group.calendar.google.com"
    static let destination = "family@group.calendar.google.com"
    static let eventTitle = "Confidential: Nightingale board meeting"

    /// A minimal OTLP/HTTP receiver: keeps every body POSTed to /v1/traces.
    final class Receiver: Sendable {
        let app: Application
        let port: Int
        private let received: Received
        /// Every body received so far.
        func receivedBodies() -> [String] { received.bodies.withLock { $0 } }

        /// The bodies, apart from the receiver: the route keeps them before the receiver knows its port.
        private final class Received: Sendable { let bodies = Mutex<[String]>([]) }

        init() async throws {
            app = try await Application.make(.testing)
            app.logger.logLevel = .warning
            let received = Received()
            self.received = received
            app.on(.POST, "v1", "traces", body: .collect(maxSize: "16mb")) { req -> Response in
                let text = req.body.string ?? ""
                received.bodies.withLock { $0.append(text) }
                return Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(string: "{}"))
            }
            port = try await app.startOnAnyPort()
        }

        func stop() async {
            await app.server.shutdown()
            try? await app.asyncShutdown()
        }
    }

    struct ExportedSpan {
        let traceID, spanID, parentID, name: String
        let attributes: [String: String]
    }

    static func spans(in bodies: [String]) throws -> [ExportedSpan] {
        var spans: [ExportedSpan] = []
        for body in bodies {
            let root = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], "not OTLP JSON: \(body.prefix(200))")
            for resource in root["resourceSpans"] as? [[String: Any]] ?? [] {
                for scope in resource["scopeSpans"] as? [[String: Any]] ?? [] {
                    for span in scope["spans"] as? [[String: Any]] ?? [] {
                        var attributes: [String: String] = [:]
                        for attribute in span["attributes"] as? [[String: Any]] ?? [] {
                            guard let key = attribute["key"] as? String, let value = attribute["value"] as? [String: Any] else { continue }
                            attributes[key] = value.values.first.map { "\($0)" } ?? ""
                        }
                        spans.append(ExportedSpan(traceID: span["traceId"] as? String ?? "", spanID: span["spanId"] as? String ?? "",
                                                  parentID: span["parentSpanId"] as? String ?? "", name: span["name"] as? String ?? "",
                                                  attributes: attributes))
                    }
                }
            }
        }
        return spans
    }

    /// The engine setting and the job's cadence: under `auto` a real-time job's run once went to a second, untraced
    /// built-in executor (the real-time routing tested `is BuiltinRunExecutor` on the traced wrapper).
    struct Setup: Sendable, CustomTestStringConvertible {
        let engine: String
        let cadence: Cadence
        var testDescription: String { "SYNCBOARD_ENGINE=\(engine), \(cadence.kind) job" }
    }

    @Test("one run's span tree reaches the receiver, linked to its run id and requests to their request id, with no secret in it",
          arguments: [Setup(engine: "builtin", cadence: .hourly), Setup(engine: "auto", cadence: .realtime)])
    func runTraceOverOTLP(setup: Setup) async throws {
        let receiver = try await Receiver()
        defer { Task { await receiver.stop() } }
        try await EmulatedGoogle.with(
            accounts: [.init(subject: "3001", email: "ada@example.com", name: "Ada")],
            calendars: [EmulatedGoogle.calendar(Self.source, "Work", owner: "ada@example.com"), EmulatedGoogle.calendar(Self.destination, "Family", owner: "ada@example.com")],
            seed: { await $0.addClient(.init(clientID: EmulatorSignInTests.clientID, clientSecret: EmulatorSignInTests.clientSecret,
                                             redirectURIs: ["http://127.0.0.1:8080/auth/google/callback"])) }
        ) { google in
            let emulator = google.server, state = google.state
            let start = Date().addingTimeInterval(86_400)
            _ = try await state.addEvent(calendarID: Self.source, ["summary": .string(Self.eventTitle),
                                                                  "start": ["dateTime": .string(start.formatted(.iso8601))],
                                                                  "end": ["dateTime": .string(start.addingTimeInterval(3_600).formatted(.iso8601))]])

            let directory = try TestApp.temporaryDirectory()
            let data = directory.appendingPathComponent("data")
            try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
            let configuration = try TestApp.configuration(database: .sqlite(path: data.appendingPathComponent("syncboard.sqlite").path), dataDirectory: data)
            let refresh = await state.issueTokens(subject: "3001", clientID: EmulatorSignInTests.clientID,
                                                  scope: "openid email https://www.googleapis.com/auth/calendar", offline: true).refresh!
            let jobID = try await BackupRestoreTests.withApp(configuration) { app in
                let user = try await Fixtures.user(app.db, email: "ada@example.com")
                let account = try await Fixtures.account(app.db, user: user, subject: "3001", email: "ada@example.com")
                account.refreshTokenCiphertext = try app.syncboard.vault.seal(refresh, context: account.vaultContext("refresh_token"))
                try await account.save(on: app.db)
                let source = try await Fixtures.calendar(app.db, account: account, googleID: Self.source)
                let destination = try await Fixtures.calendar(app.db, account: account, googleID: Self.destination)
                let job = SyncJob(userID: try user.requireID(), spec: SyncJobSpec(
                    name: "Traced", sourceCalendarID: try source.requireID(), destinationCalendarID: try destination.requireID(),
                    transformers: [ConfiguredStep(name: "KeepTitle")], filters: [], cadence: setup.cadence, timeZone: "Europe/Berlin"))
                job.nextRunAt = Date(timeIntervalSinceNow: -60)
                try await job.create(on: app.db)
                return try job.requireID()
            }

            let base = emulator.baseURL
            // A port chosen before the start: the real-time job's channel address is derived from it.
            let port = try ChildProcess.freePort()
            let child = try ChildProcess.start(["serve", "--port", "\(port)"], environment: [
                "SYNCBOARD_DATA_DIR": data.path, "SYNCBOARD_ENCRYPTION_KEYS": VersionTests.keys, "SYNCBOARD_ENGINE": setup.engine,
                "GOOGLE_CLIENT_ID": EmulatorSignInTests.clientID, "GOOGLE_CLIENT_SECRET": EmulatorSignInTests.clientSecret,
                "SYNCBOARD_GOOGLE_ISSUER": base, "SYNCBOARD_GOOGLE_AUTHORIZATION_URL": "\(base)/o/oauth2/v2/auth",
                "SYNCBOARD_GOOGLE_TOKEN_URL": "\(base)/token", "SYNCBOARD_GOOGLE_REVOCATION_URL": "\(base)/revoke",
                "SYNCBOARD_GOOGLE_USERINFO_URL": "\(base)/v1/userinfo", "SYNCBOARD_GOOGLE_JWKS_URL": "\(base)/oauth2/v3/certs",
                "SYNCBOARD_GOOGLE_CALENDAR_API_URL": "\(base)/calendar/v3",
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(receiver.port)", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
                "OTEL_BSP_SCHEDULE_DELAY": "200",
            ], directory: directory)
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            var runID: String?
            do {
                _ = try await CommandLineTests.waitForResponse(client, "http://127.0.0.1:\(port)/healthz")
                // Wait for the scheduler to run the due job to its end (read from the database file).
                try await eventually(timeout: .seconds(90), every: .milliseconds(250), "the scheduler runs the due job to its end") {
                    let file = try await SQLiteFile.open(data.appendingPathComponent("syncboard.sqlite").path)
                    let rows = try await file.connection.query("SELECT id, status FROM job_runs WHERE status NOT IN ('queued', 'running')")
                    await file.close()
                    guard let row = rows.first else { return false }
                    #expect(row.column("status")?.string == "succeeded")
                    runID = row.column("id")?.string
                    return true
                }
                child.signal(SIGTERM)  // exports what is still buffered on the way out
                try await child.waitForExit(timeout: .seconds(30))
                try await client.shutdown()
            } catch {
                child.process.terminate()
                try? await client.shutdown()
                throw error
            }
            let runIDValue = try #require(runID, "the run did not finish").uppercased()
            let bodies = receiver.receivedBodies()
            let spans = try Self.spans(in: bodies)

            // The run's tree.
            let root = try #require(spans.first { $0.name == "syncboard.run" && $0.attributes["syncboard.run_id"]?.uppercased() == runIDValue },
                                    "no syncboard.run span for \(runIDValue) in \(spans.map(\.name))")
            #expect(root.parentID.isEmpty)
            #expect(root.attributes["syncboard.job_id"]?.uppercased() == jobID.uuidString)
            #expect(root.attributes["syncboard.run.status"] == "succeeded" && root.attributes["syncboard.engine"] == "builtin")
            let trace = spans.filter { $0.traceID == root.traceID }
            let children = trace.filter { $0.parentID == root.spanID }
            #expect(Set(children.map(\.name)) == ["syncboard.run.claim", "syncboard.run.engine", "syncboard.run.record"], "\(children.map(\.name))")
            let engine = try #require(children.first { $0.name == "syncboard.run.engine" })
            #expect(trace.contains { $0.name == "syncboard.run.prepare" && $0.parentID == engine.spanID })
            func isUnder(_ span: ExportedSpan, _ ancestor: ExportedSpan) -> Bool {
                var current = span
                while let parent = trace.first(where: { $0.spanID == current.parentID }) {
                    if parent.spanID == ancestor.spanID { return true }
                    current = parent
                }
                return false
            }
            let google = trace.filter { $0.name.hasPrefix("google.") }
            #expect(google.contains { $0.name == "google.oauth POST token" }, "the token refresh: \(google.map(\.name))")
            #expect(google.contains { $0.name.hasPrefix("google.calendar GET calendars/{id}/events") }, "\(google.map(\.name))")
            #expect(google.allSatisfy { isUnder($0, engine) && $0.attributes["http.response.status_code"] == "200" })

            // The /healthz request's span carries the request id its log line has.
            let health = try #require(spans.first { $0.attributes["http.route"] == "/healthz" }, "\(spans.map(\.name))")
            let requestID = try #require(health.attributes["syncboard.request_id"])
            let logged = child.readStdout().split(separator: "\n").contains { $0.contains(#""route":"/healthz""#) && $0.contains(requestID) }
            #expect(logged, "no log line for /healthz with request id \(requestID)")

            // Nothing secret or of the calendar's content in what left the process.
            let exported = bodies.joined()
            for secret in [refresh, EmulatorSignInTests.clientSecret, Self.eventTitle, "Nightingale", Self.source, Self.destination,
                           "ada@example.com", "ya29.", "Bearer", String(VersionTests.keys.dropFirst(5))] {
                #expect(!exported.contains(secret), "the export contains \(secret)")
            }
        }
    }
}
