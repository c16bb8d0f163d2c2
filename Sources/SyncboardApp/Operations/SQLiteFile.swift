import Foundation
import Logging
import SQLiteKit

/// A direct connection to one SQLite file, outside Fluent: backups and restores work on files that no application
/// has open (a snapshot), or next to one that does (the live database, which SQLite's locking keeps consistent).
struct SQLiteFile {
    let path: String
    let connection: SQLiteConnection

    static func open(_ path: String) async throws -> SQLiteFile {
        SQLiteFile(path: path, connection: try await SQLiteConnection.open(storage: .file(path: path),
                                                                          logger: Logger(label: "syncboard.sqlite-file")))
    }

    func close() async { try? await connection.close() }

    func strings(_ sql: String, column: String) async throws -> [String] {
        try await connection.query(sql).compactMap { $0.column(column)?.string }
    }

    func count(_ table: String) async throws -> Int {
        try await connection.query("SELECT COUNT(*) AS n FROM \"\(table)\"").first?.column("n")?.integer ?? 0
    }

    func tableExists(_ table: String) async throws -> Bool {
        try await !connection.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [.text(table)]).isEmpty
    }

    /// `PRAGMA integrity_check`: nil when the file is sound, else what SQLite found (or why it could not look).
    func integrityProblem() async -> String? {
        do {
            let findings = try await strings("PRAGMA integrity_check", column: "integrity_check")
            return findings == ["ok"] ? nil : findings.prefix(3).joined(separator: "; ")
        } catch let error as SQLiteError {
            return error.message
        } catch {
            return String(describing: error)
        }
    }

    /// The migrations recorded in the file (empty when it has no migration table).
    func recordedMigrations() async throws -> [String] {
        guard try await tableExists("_fluent_migrations") else { return [] }
        return try await strings("SELECT name FROM _fluent_migrations", column: "name")
    }

    /// The ids of the keys the stored Google tokens are encrypted with.
    func tokenKeyIDs() async throws -> Set<String> {
        guard try await tableExists("google_accounts") else { return [] }
        let envelopes = try await strings("SELECT refresh_token AS t FROM google_accounts WHERE refresh_token IS NOT NULL", column: "t")
            + strings("SELECT access_token AS t FROM google_accounts WHERE access_token IS NOT NULL", column: "t")
        return Set(envelopes.compactMap(TokenVault.keyID(of:)))
    }

    /// What the database holds that a person would miss: users, linked accounts, jobs and runs.
    func contents() async throws -> (users: Int, accounts: Int, jobs: Int, runs: Int) {
        func rows(_ table: String) async throws -> Int { try await tableExists(table) ? count(table) : 0 }
        return (try await rows("users"), try await rows("google_accounts"), try await rows("sync_jobs"), try await rows("job_runs"))
    }
}

/// A command that looked and refused, with one line saying why; nothing was changed.
struct OperationRefused: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
