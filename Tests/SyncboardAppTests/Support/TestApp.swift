import Foundation
import Vapor
@testable import SyncboardApp

/// Builds configurations and applications for tests.
enum TestApp {
    /// A clock that does not move, for limits counted per minute: a slow machine cannot end a window mid-test.
    static let stoppedClock: @Sendable () -> Date = { stoppedAt }
    private static let stoppedAt = Date()

    /// A configuration as a fresh machine would have it, with a known key and the given database.
    static func configuration(database: DatabaseConfiguration, dataDirectory: URL? = nil) throws -> AppConfiguration {
        var env = ["SYNCBOARD_ENCRYPTION_KEYS": "test:\(Data(repeating: 7, count: 32).base64EncodedString())"]
        if let dataDirectory { env["SYNCBOARD_DATA_DIR"] = dataDirectory.path }
        var configuration = try AppConfiguration.load(from: EnvironmentReader(environment: env))
        configuration.database = database
        return configuration
    }

    /// Runs `body` with a configured (and, unless told otherwise, migrated) application on a fresh database.
    /// Pages are not kept between requests unless `pageCache` is true: a test that writes to the database beside the
    /// app (as another process would) and reads a page again must see the change, while the cache shows another
    /// process's changes only within a second (`RenderedPageCache`, tested with `pageCache: true`).
    static func withApp<T>(
        on database: TestDatabase,
        migrated: Bool = true,
        pageCache: Bool = false,
        _ body: (Application) async throws -> T
    ) async throws -> T {
        try await database.withFreshDatabase(migrated: migrated) { databaseConfiguration, _ in
            let app = try await SyncboardApplication.make(
                configuration: try configuration(database: databaseConfiguration),
                environment: .testing)
            app.logger.logLevel = .warning  // keep test output to what matters
            if !pageCache { app.renderedPages = RenderedPageCache(lifetime: .zero) }
            do {
                // PostgreSQL's database is a clone of the migrated template already; SQLite's starts empty.
                if migrated && database == .sqlite { try await SyncboardApplication.migrate(app) }
                let result = try await body(app)
                try await app.asyncShutdown()
                return result
            } catch {
                try? await app.asyncShutdown()
                throw error
            }
        }
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("syncboard-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
