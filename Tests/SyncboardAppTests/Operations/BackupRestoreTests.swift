import Fluent
import Foundation
import Synchronization
import Testing
import Vapor
@testable import SyncboardApp

/// `syncboard backup` and `syncboard restore` (the real binary) on SQLite, and pg_dump/pg_restore on PostgreSQL.
@Suite("Backup and restore")
struct BackupRestoreTests {
    /// A configuration as a fresh SQLite machine has it: the generated key file, no configured keys.
    static func sqliteConfiguration(_ dataDirectory: URL) throws -> AppConfiguration {
        try AppConfiguration.load(from: EnvironmentReader(environment: ["SYNCBOARD_DATA_DIR": dataDirectory.path]))
    }

    static func withApp<T>(_ configuration: AppConfiguration, migrate: Bool = true, _ body: (Application) async throws -> T) async throws -> T {
        let app = try await SyncboardApplication.make(configuration: configuration, environment: .testing)
        app.logger.logLevel = .warning
        do {
            if migrate { try await SyncboardApplication.migrate(app) }
            let result = try await body(app)
            try await app.asyncShutdown()
            return result
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    static func mode(_ url: URL) throws -> Int? {
        try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
    }

    @Test("backup while runs are being written; restore on a fresh data directory; tokens decrypt and a job runs")
    func backupWhileWritingThenRestore() async throws {
        let root = try TestApp.temporaryDirectory()
        let live = root.appendingPathComponent("live")
        let backup = root.appendingPathComponent("backup")
        let configuration = try Self.sqliteConfiguration(live)
        let filled = try await Self.withApp(configuration) { app in
            let filled = try await OperationsFixtures.fill(app.db, vault: app.syncboard.vault)
            // A writer keeps adding runs (each with its log lines, in one transaction) while the real binary backs up.
            let stop = Atomic(false)
            let writer = Task {
                var written = 0
                while !stop.load(ordering: .relaxed) {
                    try await OperationsFixtures.writeRun(app.db, jobID: filled.jobID)
                    written += 1
                }
                return written
            }
            let result: (status: Int32, stdout: String, stderr: String)
            do {
                try await eventually(every: .milliseconds(20), "the writer has written ten runs") { try await JobRun.query(on: app.db).count() >= 10 }
                result = try await ChildProcess.run(["backup", backup.path], environment: ["SYNCBOARD_DATA_DIR": live.path], directory: root)
            } catch {
                // The writer stops before the app shuts down: a write after that would trap in Fluent.
                stop.store(true, ordering: .relaxed)
                _ = try? await writer.value
                throw error
            }
            stop.store(true, ordering: .relaxed)
            let written = try await writer.value
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("The key file that decrypts its tokens is in it"), "\(result.stdout)")
            #expect(written > 0)
            return filled
        }

        // Private: the directory 0700, every file in it 0600; the key file is the live one.
        #expect(try Self.mode(backup) == 0o700)
        let files = try FileManager.default.contentsOfDirectory(atPath: backup.path).sorted()
        #expect(files == ["encryption.key", "manifest.json", "syncboard.sqlite"])
        for file in files { #expect(try Self.mode(backup.appendingPathComponent(file)) == 0o600, "\(file)") }
        #expect(FileManager.default.contents(atPath: backup.appendingPathComponent("encryption.key").path)
                == FileManager.default.contents(atPath: live.appendingPathComponent("encryption.key").path))

        // Consistent: it passes SQLite's integrity check, and every run in it has all of its log lines.
        let snapshot = try await SQLiteFile.open(backup.appendingPathComponent("syncboard.sqlite").path)
        let integrity = await snapshot.integrityProblem()
        let runs = try await snapshot.count("job_runs")
        let torn = try await snapshot.connection.query(
            "SELECT COUNT(*) AS n FROM job_runs r WHERE (SELECT COUNT(*) FROM run_log_lines l WHERE l.run_id = r.id) <> \(OperationsFixtures.logLinesPerRun)")
            .first?.column("n")?.integer
        await snapshot.close()
        #expect(integrity == nil)
        #expect(runs >= 10)
        #expect(torn == 0, "a run in the snapshot is missing log lines written in its transaction")

        // Restore on a data directory that does not exist yet.
        let fresh = root.appendingPathComponent("fresh")
        let restored = try await ChildProcess.run(["restore", backup.path], environment: ["SYNCBOARD_DATA_DIR": fresh.path], directory: root)
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout.contains("Restored 1 user(s), 1 account(s), 1 job(s) and \(runs) run(s)"), "\(restored.stdout)")
        #expect(try Self.mode(fresh.appendingPathComponent("encryption.key")) == 0o600)

        // The restored machine reads its tokens, and a job runs there (the real binary, no-op engine).
        try await Self.withApp(try Self.sqliteConfiguration(fresh)) { app in
            let tokens = try await OperationsFixtures.tokens(app.db, vault: app.syncboard.vault, accountID: filled.accountID)
            #expect(tokens.refresh == OperationsFixtures.refreshToken && tokens.access == OperationsFixtures.accessToken)
            #expect(try await JobRun.query(on: app.db).count() == runs)
        }
        let jobRun = try await ChildProcess.run(["run-job", filled.jobID.uuidString],
                                             environment: ["SYNCBOARD_DATA_DIR": fresh.path, "SYNCBOARD_ENGINE": "noop"], directory: root)
        #expect(jobRun.status == 0, "\(jobRun.stdout) \(jobRun.stderr)")
        #expect(jobRun.stdout.contains("Result: succeeded"), "\(jobRun.stdout)")

        // Now the database holds data: a second restore is refused unless forced.
        let refused = try await ChildProcess.run(["restore", backup.path], environment: ["SYNCBOARD_DATA_DIR": fresh.path], directory: root)
        #expect(refused.status == 1)
        #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("already holds data") && refused.stderr.contains("--force"), "\(refused.stderr)")
        try await Self.withApp(try Self.sqliteConfiguration(fresh), migrate: false) { app async throws in
            let count = try await JobRun.query(on: app.db).count()
            #expect(count == runs + 1, "the refused restore changed nothing")
        }
        let forced = try await ChildProcess.run(["restore", "--force", backup.path], environment: ["SYNCBOARD_DATA_DIR": fresh.path], directory: root)
        #expect(forced.status == 0, "\(forced.stderr)")
        try await Self.withApp(try Self.sqliteConfiguration(fresh), migrate: false) { app async throws in
            let count = try await JobRun.query(on: app.db).count()
            #expect(count == runs)
        }
    }

    @Test("restore refuses a snapshot that is newer, damaged or not a database, with one line, and changes nothing")
    func restoreRefusesBadSnapshots() async throws {
        let root = try TestApp.temporaryDirectory()
        let live = root.appendingPathComponent("live")
        let backup = root.appendingPathComponent("backup")
        let configuration = try Self.sqliteConfiguration(live)
        _ = try await Self.withApp(configuration) { app in try await OperationsFixtures.fill(app.db, vault: app.syncboard.vault) }
        _ = try await BackupCommand.run(configuration, to: backup)

        func variant(_ name: String, _ alter: (URL) async throws -> Void) async throws -> URL {
            let copy = root.appendingPathComponent(name)
            try FileManager.default.copyItem(at: backup, to: copy)
            try await alter(copy.appendingPathComponent("syncboard.sqlite"))
            return copy
        }
        let newer = try await variant("newer") { file in
            let sqlite = try await SQLiteFile.open(file.path)
            try await sqlite.connection.query("INSERT INTO _fluent_migrations (id, name, batch) VALUES ('00000000-0000-0000-0000-000000000001', 'AddSomethingFromTheFuture', 99)")
            await sqlite.close()
        }
        let damaged = try await variant("damaged") { file in
            // Overwrite the pages after the first with noise: the header still says SQLite, the b-trees are broken.
            var data = try Data(contentsOf: file)
            let pageSize = Int(data[16]) << 8 | Int(data[17])
            for index in pageSize..<data.count where index % 7 != 0 { data[index] = UInt8(truncatingIfNeeded: index &* 31) }
            try data.write(to: file)
        }
        let garbage = try await variant("garbage") { file in try Data(repeating: 0x42, count: 8192).write(to: file) }

        let cases: [(URL, String)] = [
            (newer, "is newer than this binary: it was made by Syncboard \(SyncboardVersion.current) and records 1 migration(s) Syncboard \(SyncboardVersion.current) does not know (AddSomethingFromTheFuture)"),
            (damaged, "is damaged (SQLite's integrity check:"),
            (garbage, "is damaged (SQLite's integrity check:"),
        ]
        for (snapshot, message) in cases {
            let target = root.appendingPathComponent("target-\(snapshot.lastPathComponent)")
            let result = try await ChildProcess.run(["restore", "--force", snapshot.path], environment: ["SYNCBOARD_DATA_DIR": target.path], directory: root)
            #expect(result.status == 1, "\(snapshot.lastPathComponent): \(result.stdout)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(result.stderr.hasPrefix("syncboard: the snapshot in \(snapshot.path) "), "\(result.stderr)")
            #expect(result.stderr.contains(message) && result.stderr.hasSuffix("nothing was restored\n"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: target.appendingPathComponent("syncboard.sqlite").path))
            #expect(!FileManager.default.fileExists(atPath: target.appendingPathComponent("encryption.key").path))
        }
    }

    @Test("backup refuses a path that holds files, and says to use pg_dump on PostgreSQL")
    func backupRefusals() async throws {
        let root = try TestApp.temporaryDirectory()
        let live = root.appendingPathComponent("live")
        try await Self.withApp(try Self.sqliteConfiguration(live)) { _ in }
        let occupied = root.appendingPathComponent("occupied")
        try FileManager.default.createDirectory(at: occupied, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: occupied.appendingPathComponent("notes.txt"))
        let result = try await ChildProcess.run(["backup", occupied.path], environment: ["SYNCBOARD_DATA_DIR": live.path], directory: root)
        #expect(result.status == 1)
        #expect(result.stderr == "syncboard: \(occupied.path) already exists and is not an empty directory: choose a new path\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: occupied.path) == ["notes.txt"])

        let postgres = try await ChildProcess.run(
            ["backup", root.appendingPathComponent("pg").path],
            environment: ["DATABASE_URL": "postgres://u:secret@127.0.0.1:1/x", "SYNCBOARD_ENCRYPTION_KEYS": VersionTests.keys], directory: root)
        #expect(postgres.status == 1)
        #expect(postgres.stderr.contains("pg_dump") && !postgres.stderr.contains("secret"), "\(postgres.stderr)")
    }

    @Test("PostgreSQL: the README's pg_dump and pg_restore commands carry everything over")
    func postgresDumpAndRestore() async throws {
        guard TestDatabase.all.contains(.postgres) else { return }
        let bin = URL(fileURLWithPath: "/usr/lib/postgresql/15/bin")
        let dump = try TestApp.temporaryDirectory().appendingPathComponent("syncboard.dump")
        let filled = try await TestDatabase.postgres.withFreshDatabase { configuration, url in
            let filled = try await Self.withApp(try TestApp.configuration(database: configuration)) { app in
                try await OperationsFixtures.fill(app.db, vault: app.syncboard.vault)
            }
            // As in the README: pg_dump --format=custom --no-owner --file=FILE "$DATABASE_URL"
            try await Self.runTool(bin.appendingPathComponent("pg_dump"), ["--format=custom", "--no-owner", "--file=\(dump.path)", try #require(url)])
            return filled
        }
        try await TestDatabase.postgres.withFreshDatabase { configuration, url in
            // As in the README: pg_restore --no-owner --exit-on-error --dbname="$DATABASE_URL" FILE
            try await Self.runTool(bin.appendingPathComponent("pg_restore"), ["--no-owner", "--exit-on-error", "--dbname=\(try #require(url))", dump.path])
            try await Self.withApp(try TestApp.configuration(database: configuration)) { app in
                #expect(try await SyncboardApplication.pendingMigrations(app).isEmpty)
                let tokens = try await OperationsFixtures.tokens(app.db, vault: app.syncboard.vault, accountID: filled.accountID)
                #expect(tokens.refresh == OperationsFixtures.refreshToken && tokens.access == OperationsFixtures.accessToken)
                #expect(try await JobRun.query(on: app.db).count() == 3)
                #expect(try await RunLogLine.query(on: app.db).count() == 3 * OperationsFixtures.logLinesPerRun)
            }
            let jobRun = try await ChildProcess.run(["run-job", filled.jobID.uuidString],
                                                 environment: ["DATABASE_URL": try #require(url), "SYNCBOARD_ENCRYPTION_KEYS": VersionTests.keys,
                                                               "SYNCBOARD_ENGINE": "noop"],
                                                 directory: try TestApp.temporaryDirectory())
            #expect(jobRun.status == 0 && jobRun.stdout.contains("Result: succeeded"), "\(jobRun.stdout) \(jobRun.stderr)")
        }
    }

    static func runTool(_ executable: URL, _ arguments: [String]) async throws {
        let result = try await ToolProcess.run(executable, arguments)
        guard result.status == 0 else { throw TestSetupError("\(executable.lastPathComponent) failed: \(result.output)") }
    }
}
