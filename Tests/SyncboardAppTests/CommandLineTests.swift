import AsyncHTTPClient
import Foundation
import Testing
@testable import SyncboardApp

/// The real `syncboard` binary, run as a child process: configuration errors, serve, worker, migrate.
@Suite("The syncboard command")
struct CommandLineTests {
    static let key = "SYNCBOARD_ENCRYPTION_KEYS"
    static let validKeys = "k1:\(Data(repeating: 3, count: 32).base64EncodedString())"

    @Test("a bad configuration value stops the process with status 1 and one readable line", arguments: [
        (["PORT": "eighty"], "PORT: expected a port number"),
        (["DATABASE_URL": "postgres//admin:hunter2@db/x", key: validKeys], "DATABASE_URL: expected postgres://"),
        ([key: "k1:\(Data(repeating: 3, count: 12).base64EncodedString())"], "SYNCBOARD_ENCRYPTION_KEYS: entry 1 (id k1) is 12 bytes long"),
        (["DATABASE_URL": "postgres://admin:hunter2@127.0.0.1/x"], "SYNCBOARD_ENCRYPTION_KEYS: required with PostgreSQL"),
    ])
    func configurationErrors(environment: [String: String], message: String) async throws {
        let directory = try TestApp.temporaryDirectory()
        for command in [["serve"], ["worker"], ["migrate"]] {
            let result = try await ChildProcess.run(command, environment: environment, directory: directory)
            #expect(result.status == 1, "\(command) exited \(result.status)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1, "expected one line, got: \(result.stderr)")
            #expect(result.stderr.hasPrefix("syncboard: configuration error: \(message)"), "\(result.stderr)")
            #expect(!result.stderr.contains("hunter2") && !result.stdout.contains("hunter2"))
            #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"))
        }
        // Nothing was created: the process stopped before touching the data directory.
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("data").path))
    }

    @Test("an unreachable PostgreSQL gives one line without the password")
    func unreachableDatabase() async throws {
        let port = try ChildProcess.freePort()
        let result = try await ChildProcess.run(
            ["migrate"],
            environment: ["DATABASE_URL": "postgres://admin:hunter2@127.0.0.1:\(port)/x", Self.key: Self.validKeys],
            directory: try TestApp.temporaryDirectory())
        #expect(result.status == 1)
        #expect(result.stderr == "syncboard: could not connect to PostgreSQL (is it running, and is the host and port right?)\n")
        #expect(!result.stdout.contains("hunter2"))
    }

    @Test("serve on a fresh directory: SQLite created and migrated, endpoints answer, JSON logs, SIGTERM exits 0")
    func serveOnFreshMachine() async throws {
        let directory = try TestApp.temporaryDirectory()
        let child = try ChildProcess.start(["serve", "--port", "0"], environment: [:], directory: directory)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let base = "http://127.0.0.1:\(try await child.servedPort())"
            let health = try await Self.waitForResponse(client, "\(base)/healthz")
            #expect(health.status == .ok)
            let ready = try await client.execute(HTTPClientRequest(url: "\(base)/readyz"), timeout: .seconds(30))
            #expect(ready.status == .ok)
            let readyBody = String(buffer: try await ready.body.collect(upTo: 1 << 20))
            #expect(readyBody.contains(#""status":"ready""#))
            let metrics = try await client.execute(HTTPClientRequest(url: "\(base)/metrics"), timeout: .seconds(30))
            let metricsBody = String(buffer: try await metrics.body.collect(upTo: 1 << 20))
            #expect(metricsBody.contains(#"http_requests_total{method="GET",path="/readyz",status="200"} 1"#))

            child.signal(SIGTERM)
            try await child.waitForExit(timeout: .seconds(20))
            try await client.shutdown()
        } catch {
            child.process.terminate()
            try? await client.shutdown()
            throw error
        }
        #expect(child.process.terminationStatus == 0)

        let data = directory.appendingPathComponent("data")
        #expect(FileManager.default.fileExists(atPath: data.appendingPathComponent("syncboard.sqlite").path))
        let keyFile = try FileManager.default.attributesOfItem(atPath: data.appendingPathComponent("encryption.key").path)
        #expect((keyFile[.posixPermissions] as? Int) == 0o600)
        let directoryMode = try FileManager.default.attributesOfItem(atPath: data.path)[.posixPermissions] as? Int
        #expect(directoryMode == 0o700)

        // stdout is not a terminal: one JSON object per line, request lines with request id and route.
        let lines = child.readStdout().split(separator: "\n")
        #expect(!lines.isEmpty)
        var sawRequest = false
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
            #expect(object["time"] is String && object["level"] is String && object["message"] is String)
            if object["message"] as? String == "request finished", object["route"] as? String == "/readyz" {
                sawRequest = true
                #expect((object["request_id"] as? String)?.isEmpty == false)
                #expect(object["status"] as? String == "200")
            }
        }
        #expect(sawRequest)
    }

    @Test("worker runs until SIGTERM and exits 0")
    func workerStopsCleanly() async throws {
        let directory = try TestApp.temporaryDirectory()
        let child = try ChildProcess.start(["worker"], environment: [:], directory: directory)
        // Wait until it is up (its start line), then stop it.
        do {
            try await eventually(timeout: .seconds(30), "the worker creates its database, or exits") {
                FileManager.default.fileExists(atPath: directory.appendingPathComponent("data/syncboard.sqlite").path) || !child.process.isRunning
            }
        } catch {
            child.process.terminate()
            throw error
        }
        try await Task.sleep(for: .milliseconds(500))
        child.signal(SIGTERM)
        try await child.waitForExit(timeout: .seconds(20))
        #expect(child.process.terminationStatus == 0)
        let output = child.readStdout()
        #expect(output.contains("worker started"))
        #expect(output.contains("worker stopped"))
    }

    @Test("migrate is idempotent on SQLite")
    func migrateTwice() async throws {
        let directory = try TestApp.temporaryDirectory()
        let first = try await ChildProcess.run(["migrate"], environment: [:], directory: directory)
        #expect(first.status == 0)
        #expect(first.stdout.contains("Applied \(SyncboardMigrations.all.count) migration(s)"))
        let second = try await ChildProcess.run(["migrate"], environment: [:], directory: directory)
        #expect(second.status == 0)
        #expect(second.stdout.contains("The database is up to date"))
    }

    @Test("two migrate processes started at once on one PostgreSQL both succeed, and the schema is whole")
    func concurrentMigrateOnPostgres() async throws {
        guard TestDatabase.all.contains(.postgres) else { return }
        try await TestDatabase.postgres.withFreshDatabase { configuration, url in
            let environment = ["DATABASE_URL": try #require(url), Self.key: Self.validKeys]
            let directory = try TestApp.temporaryDirectory()
            async let a = ChildProcess.run(["migrate"], environment: environment, directory: directory)
            async let b = ChildProcess.run(["migrate"], environment: environment, directory: directory)
            let results = try await [a, b]
            for result in results { #expect(result.status == 0, "\(result.stderr)") }
            let applied = results.filter { $0.stdout.contains("Applied \(SyncboardMigrations.all.count) migration(s)") }
            #expect(applied.count == 1, "exactly one process applies the migrations: \(results.map(\.stdout))")

            let app = try await SyncboardApplication.make(configuration: try TestApp.configuration(database: configuration),
                                                          environment: .testing)
            let pending = try await SyncboardApplication.pendingMigrations(app)
            try await app.asyncShutdown()
            #expect(pending.isEmpty)
        }
    }

    static func waitForResponse(_ client: HTTPClient, _ url: String) async throws -> HTTPClientResponse {
        try await eventuallyValue("\(url) answers", errors: .meanNotYet) {
            try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(60))
        }
    }
}

@Suite("syncboard run-job")
struct RunJobCommandTests {
    @Test("runs one job now with the CalendarSync binary, prints its log, records the run, exits 0")
    func runJob() async throws {
        let directory = try TestApp.temporaryDirectory()
        let keys = "k1:\(Data(repeating: 3, count: 32).base64EncodedString())"
        var configuration = try TestApp.configuration(database: .sqlite(path: directory.appendingPathComponent("data/syncboard.sqlite").path),
                                                      dataDirectory: directory.appendingPathComponent("data"))
        configuration.encryptionKeys = try EncryptionKeyring.parse(keys)
        let app = try await SyncboardApplication.make(configuration: configuration, environment: .testing)
        app.logger.logLevel = .warning
        let jobID: UUID
        do {
            try await SyncboardApplication.migrate(app)
            let user = try await Fixtures.user(app.db)
            let a = try await Fixtures.account(app.db, user: user, subject: "a", email: "me@work.example")
            let b = try await Fixtures.account(app.db, user: user, subject: "b", email: "me@home.example")
            for account in [a, b] {  // fresh access tokens: no refresh needed
                account.refreshTokenCiphertext = try app.syncboard.vault.seal("refresh", context: account.vaultContext("refresh_token"))
                account.accessTokenCiphertext = try app.syncboard.vault.seal("access", context: account.vaultContext("access_token"))
                account.accessTokenExpiresAt = Date().addingTimeInterval(3600)
                try await account.save(on: app.db)
            }
            let source = try await Fixtures.calendar(app.db, account: a, googleID: "me@work.example")
            let destination = try await Fixtures.calendar(app.db, account: b, googleID: "success-cli@group.calendar.google.com")
            jobID = try await Fixtures.job(app.db, user: user, source: source, destination: destination, nextRunAt: nil)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()

        let result = try await ChildProcess.run(
            ["run-job", jobID.uuidString, "--mode", "dry-run"],
            environment: ["SYNCBOARD_ENCRYPTION_KEYS": keys, "GOOGLE_CLIENT_ID": "id.apps.example", "GOOGLE_CLIENT_SECRET": "secret",
                          "CALENDARSYNC_BIN": CalendarSyncRunExecutorTests.standin],
            directory: directory)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("standin: checks passed (dry-run)"))
        #expect(result.stdout.contains("Result: succeeded"))
        #expect(!result.stdout.contains("secret") && !result.stderr.contains("secret"))

        let unknown = try await ChildProcess.run(["run-job", UUID().uuidString], environment: ["SYNCBOARD_ENCRYPTION_KEYS": keys], directory: directory)
        #expect(unknown.status == 1 && unknown.stderr.hasPrefix("syncboard: there is no job with id"))
    }
}
