import Fluent
import SQLKit

/// Whether this binary may work on a database: a database migrated by a newer Syncboard records migrations this
/// binary does not know, and running on it could misread or damage what the newer version wrote.
public enum SchemaCompatibility {
    /// The migrations recorded in the database that this binary does not know (empty on a fresh database).
    public static func unknownMigrations(on db: any Database) async throws -> [String] {
        let recorded: [String]
        do {
            recorded = try await MigrationLog.query(on: db).all(\.$name)
        } catch {
            // No migration table yet: nothing is recorded. (A connection failure throws again just below.)
            _ = try await db.sql().raw("SELECT 1").run()
            return []
        }
        let known = Set(SyncboardMigrations.all.map(\.name))
        return recorded.filter { !known.contains($0) }.sorted()
    }

    /// Throws `DatabaseNewerThanBinary` when the database records migrations this binary does not know.
    public static func requireNotNewer(_ db: any Database) async throws {
        let unknown = try await unknownMigrations(on: db)
        if !unknown.isEmpty { throw DatabaseNewerThanBinary(unknownMigrations: unknown) }
    }
}

/// The database was migrated by a newer Syncboard than this one.
public struct DatabaseNewerThanBinary: Error, CustomStringConvertible {
    public let unknownMigrations: [String]

    public var description: String {
        let sample = unknownMigrations.prefix(3).joined(separator: ", ") + (unknownMigrations.count > 3 ? ", …" : "")
        return "the database is newer than this binary: it records \(unknownMigrations.count) migration(s) Syncboard "
            + "\(SyncboardVersion.current) does not know (\(sample)); run the newer Syncboard that migrated it, "
            + "or restore a backup made by this version"
    }
}
