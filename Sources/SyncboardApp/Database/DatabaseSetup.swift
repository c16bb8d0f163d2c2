import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Vapor

/// Wires Fluent to SQLite or PostgreSQL, registers the migrations, and applies them safely.
enum DatabaseSetup {
    /// The longest a PostgreSQL transaction may take before its connection is closed (see `TransactionControl`).
    static let defaultTransactionTimeout: TimeAmount = .seconds(60)

    static func configure(_ app: Application, database: DatabaseConfiguration,
                          transactionTimeout: TimeAmount = defaultTransactionTimeout) throws {
        switch database {
        case .sqlite(let path):
            useSQLite(app, .file(path))
        case .sqliteInMemory:
            useSQLite(app, .memory)
        case .postgres(let configuration, _):
            let postgres = DatabaseConfigurationFactory.postgres(
                configuration: configuration, maxConnectionsPerEventLoop: 4, connectionPoolTimeout: .seconds(10), sqlLogLevel: .trace)
            app.databases.use(DatabaseConfigurationFactory {
                ControlledTransactionsConfiguration(base: postgres.make(), control: .timeLimit(transactionTimeout))
            }, as: .psql)
        }
        app.migrations.add(SyncboardMigrations.all)
    }

    /// One connection for the process (`TransactionControl.sqlite`): statements queue for it, so waiting is normal,
    /// and a busy machine may take longer than the driver's default 10 s to hand it over.
    private static func useSQLite(_ app: Application, _ storage: SQLiteConfiguration) {
        let sqlite = DatabaseConfigurationFactory.sqlite(storage, maxConnectionsPerEventLoop: 1, connectionPoolTimeout: .seconds(60), sqlLogLevel: .trace)
        app.databases.use(DatabaseConfigurationFactory {
            ControlledTransactionsConfiguration(base: sqlite.make(), control: .sqlite)
        }, as: .sqlite)
    }

    /// Applies pending migrations. On PostgreSQL a session-level advisory lock, held on a connection of its own,
    /// makes concurrent `migrate` runs (several replicas starting at once) take turns: the second one finds
    /// nothing left to do. SQLite serialises writers by itself.
    /// Returns the names of the migrations this call applied (empty when another process got there first).
    @discardableResult
    static func migrate(_ app: Application, database: DatabaseConfiguration) async throws -> [String] {
        guard case .postgres(let configuration, _) = database else {
            let pending = try await pendingMigrations(on: app.db)
            try await app.autoMigrate()
            return pending
        }
        let lockConnection = try await PostgresConnection.connect(
            on: app.eventLoopGroup.any(),
            configuration: configuration.coreConfiguration,
            id: 0,
            logger: app.logger)
        do {
            try await lockConnection.query("SELECT pg_advisory_lock(\(migrationLockKey))", logger: app.logger)
            // Read what is pending only once the lock is held: it may have been applied while we waited.
            let pending = try await pendingMigrations(on: app.db)
            try await app.autoMigrate()
            try await lockConnection.query("SELECT pg_advisory_unlock(\(migrationLockKey))", logger: app.logger)
            try await lockConnection.close()
            return pending
        } catch {
            try? await lockConnection.close()  // closing the session releases the lock too
            throw error
        }
    }

    /// Reverts every migration (tests, and `migrate --revert`).
    static func revert(_ app: Application) async throws {
        try await app.autoRevert()
    }

    /// The names of the migrations this build knows that the database has not applied yet.
    static func pendingMigrations(on db: any Database) async throws -> [String] {
        let applied: Set<String>
        do {
            applied = Set(try await MigrationLog.query(on: db).all(\.$name))
        } catch {
            // No migration table yet: nothing is applied. (A connection failure throws again just below.)
            _ = try await db.sql().raw("SELECT 1").run()
            applied = []
        }
        return SyncboardMigrations.all.map(\.name).filter { !applied.contains($0) }
    }

    /// Arbitrary but fixed: the advisory-lock key every Syncboard process uses for migrations.
    static let migrationLockKey: Int64 = 0x5359_4E43_424F_4152 & 0x7FFF_FFFF_FFFF_FFFF
}
