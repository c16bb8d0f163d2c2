import Fluent
import Foundation
import Testing
import VaporTesting
@testable import SyncboardApp

/// The version (semantic, in --version, /readyz, the footer and CHANGELOG.md) and the refusal to run on a database
/// that a newer Syncboard migrated.
@Suite("Versions")
struct VersionTests {
    static let keys = "test:\(Data(repeating: 7, count: 32).base64EncodedString())"
    static let futureMigration = "AddSomethingFromTheFuture"

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test("the version is semantic, printed by --version, and has its CHANGELOG entry")
    func versionEverywhere() async throws {
        let version = SyncboardVersion.current
        #expect(version.wholeMatch(of: /(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?/) != nil, "\(version)")
        let result = try await ChildProcess.run(["--version"], environment: [:], directory: try TestApp.temporaryDirectory())
        #expect(result.status == 0)
        #expect(result.stdout == "\(version)\n")
        let changelog = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("CHANGELOG.md"), encoding: .utf8)
        #expect(changelog.contains("\n## \(version) "), "CHANGELOG.md has no entry for \(version)")
    }

    @Test("/readyz and the page footer show the version")
    func readyzAndFooter() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            try await app.testing().test(.GET, "readyz") { response async throws in
                #expect(try response.content.decode(ReadinessReport.self).version == SyncboardVersion.current)
            }
            try await app.testing().test(.GET, "signin") { response async throws in
                #expect(response.body.string.contains("<footer class=\"site-footer\"><p>Syncboard \(SyncboardVersion.current) ·"))
            }
        }
    }

    @Test("/readyz says when the database is newer than the binary", arguments: TestDatabase.all)
    func readyzNewerDatabase(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            try await WorkerHeartbeat(id: "w1", role: "worker", startedAt: Date(), lastSeenAt: Date()).create(on: app.db)
            try await MigrationLog(name: Self.futureMigration, batch: 99).create(on: app.db)
            try await app.testing().test(.GET, "readyz") { response async throws in
                #expect(response.status == .serviceUnavailable)
                let report = try response.content.decode(ReadinessReport.self)
                let migrations = try #require(report.checks.first { $0.name == "migrations" })
                #expect(!migrations.ok)
                #expect(migrations.detail.hasPrefix("the database is newer than this binary"))
                #expect(migrations.detail.contains(Self.futureMigration))
            }
        }
    }

    @Test("serve, worker and migrate refuse a database a newer Syncboard migrated, with one line", arguments: TestDatabase.all)
    func refuseNewerDatabase(database: TestDatabase) async throws {
        let directory = try TestApp.temporaryDirectory()
        let dataDirectory = directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        try await database.withFreshDatabase { configured, url in
            var environment = ["SYNCBOARD_ENCRYPTION_KEYS": Self.keys, "SYNCBOARD_DATA_DIR": dataDirectory.path]
            let configuration: SyncboardApp.DatabaseConfiguration
            if let url {
                environment["DATABASE_URL"] = url
                configuration = configured
            } else {
                configuration = .sqlite(path: dataDirectory.appendingPathComponent("syncboard.sqlite").path)
            }
            let app = try await SyncboardApplication.make(configuration: try TestApp.configuration(database: configuration), environment: .testing)
            do {
                try await SyncboardApplication.migrate(app)
                try await MigrationLog(name: Self.futureMigration, batch: 99).create(on: app.db)
                try await app.asyncShutdown()
            } catch {
                try? await app.asyncShutdown()
                throw error
            }
            for command in [["serve", "--port", "0"], ["worker"], ["migrate"]] {
                let result = try await ChildProcess.run(command, environment: environment, directory: directory)
                #expect(result.status == 1, "\(command) exited \(result.status): \(result.stderr)")
                let lines = result.stderr.split(separator: "\n")
                #expect(lines.count == 1, "\(command): expected one line, got: \(result.stderr)")
                #expect(result.stderr.hasPrefix("syncboard: the database is newer than this binary: it records 1 migration(s) Syncboard \(SyncboardVersion.current) does not know (\(Self.futureMigration))"),
                        "\(command): \(result.stderr)")
                #expect(!result.stdout.contains("listening") && !result.stdout.contains("worker started"), "\(command): \(result.stdout)")
            }
        }
    }
}
