import Foundation
import Logging
import Vapor

/// What each `syncboard` subcommand does once its arguments are parsed. The executable target only parses.
public enum ProcessRunner {
    /// Loads the configuration (environment over `.env`) and sets up logging; the first step of every command.
    public static func loadConfiguration(overrides: (inout AppConfiguration) -> Void = { _ in }) async throws(ConfigurationError) -> AppConfiguration {
        let reader = try await EnvironmentReader.process()
        var configuration = try AppConfiguration.load(from: reader)
        overrides(&configuration)
        LoggingSetup.bootstrap(level: configuration.logLevel, format: configuration.logFormat)
        MetricsSetup.bootstrap()
        TracingSetup.bootstrap()
        return configuration
    }

    /// `syncboard serve`: the web app (and, unless turned off, the scheduler) until SIGTERM or SIGINT.
    public static func serve(_ configuration: AppConfiguration) async throws {
        try await run(.serve, configuration, arguments: ["syncboard", "serve"])
    }

    /// `syncboard worker`: the scheduler only, until SIGTERM or SIGINT.
    public static func worker(_ configuration: AppConfiguration) async throws {
        try await run(.worker, configuration, arguments: ["syncboard"])
    }

    /// The start-up `serve` and `worker` share: signals first, then the application and its database, then the
    /// process's services (`SyncboardProcess`), then the application's own shutdown.
    private static func run(_ role: SyncboardProcess.Role, _ configuration: AppConfiguration, arguments: [String]) async throws {
        let app = try await SyncboardApplication.make(configuration: configuration,
                                                      environment: Environment(name: "production", arguments: arguments))
        let stop = stopSignals(app, configuration)
        do {
            try await prepareDatabase(app)
            try await SyncboardProcess(app: app, stop: stop, role: role).run()
        } catch {
            await shutDown(app)
            throw error
        }
        await shutDown(app)
    }

    /// Signal handling for the long-running commands, in place before they touch the database.
    private static func stopSignals(_ app: Application, _ configuration: AppConfiguration) -> StopSignals {
        StopSignals(logger: app.logger, budget: StopSignals.budget(gracePeriod: configuration.scheduler.shutdownGracePeriod,
                                                                   recordTime: configuration.scheduler.shutdownRecordTime))
    }

    /// The application's own shutdown (closing the database pool among others), given a few seconds at most:
    /// with the server gone, closing its connections must not keep the process alive.
    private static func shutDown(_ app: Application) async {
        ProcessServices.kept.withLock { $0 = app.syncboard }
        do {
            try await withinDeadline(.seconds(3), "shutting the application down") { try await app.asyncShutdown() }
        } catch {
            app.logger.warning("exiting before the application finished shutting down", metadata: ["error": .string(describe(error))])
        }
    }

    /// `syncboard migrate`: applies pending migrations and says what it did.
    public static func migrate(_ configuration: AppConfiguration, revertAll: Bool) async throws -> String {
        let app = try await SyncboardApplication.make(configuration: configuration,
                                                      environment: Environment(name: "production", arguments: ["syncboard"]))
        do {
            let message: String
            if revertAll {
                try await SyncboardApplication.revertAll(app)
                message = "Reverted all migrations on \(configuration.database.summary)."
            } else {
                let applied = try await SyncboardApplication.migrate(app)
                message = applied.isEmpty
                    ? "The database is up to date (\(configuration.database.summary))."
                    : "Applied \(applied.count) migration(s) to \(configuration.database.summary)."
            }
            try await app.asyncShutdown()
            return message
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// `syncboard rotate-keys`: re-encrypts every stored token under the newest key and says how many it rewrote.
    public static func rotateKeys(_ configuration: AppConfiguration) async throws -> String {
        let app = try await SyncboardApplication.make(configuration: configuration,
                                                      environment: Environment(name: "production", arguments: ["syncboard"]))
        do {
            try await prepareDatabase(app)
            let report = try await KeyRotation(db: app.db, vault: app.syncboard.vault).run()
            try await app.asyncShutdown()
            return "Re-encrypted \(report.rewritten) secret(s) under key \"\(app.syncboard.keyring.current.id)\"; \(report.alreadyCurrent) already used it."
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// `syncboard run-job`: runs one job now and prints its log; returns whether it succeeded.
    public static func runJob(_ configuration: AppConfiguration, jobID: UUID, mode: String) async throws -> Bool {
        guard let mode = JobRun.Mode(rawValue: mode.replacingOccurrences(of: "-", with: "_")) else {
            throw ConfigurationError(variable: "--mode", expected: "expected sync, dry-run or clean")
        }
        let status = try await RunJobCommand.run(configuration, jobID: jobID, mode: mode) { line in
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
        return status == .succeeded
    }

    /// Migrates when configured to (always on SQLite by default); otherwise insists the schema is current.
    static func prepareDatabase(_ app: Application) async throws {
        try await SchemaCompatibility.requireNotNewer(app.db)  // never run on a database a newer version migrated
        if app.syncboard.configuration.autoMigrate {
            try await SyncboardApplication.migrate(app)
            return
        }
        let pending = try await SyncboardApplication.pendingMigrations(app)
        if !pending.isEmpty {
            app.logger.warning("the database has pending migrations; run `syncboard migrate` (or set SYNCBOARD_AUTO_MIGRATE=true)",
                               metadata: ["pending": .stringConvertible(pending.count)])
        }
    }

    /// One readable line for any error that ends a command: configuration errors as they are, database
    /// failures without connection strings, anything else by its description.
    public static func describe(_ error: any Error) -> String {
        switch error {
        case let error as ConfigurationError: return "configuration error: \(error)"
        case let error as any AbortError: return error.reason
        default:
            let description = DatabaseErrorDescription.describe(error)
            return description == String(describing: type(of: error)) ? String(describing: error) : description
        }
    }
}
