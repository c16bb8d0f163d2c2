import Foundation

/// `syncboard backup PATH`: a consistent snapshot of the SQLite database, taken while Syncboard runs, in a private
/// directory together with what reads its tokens (the generated key file), or a line saying that the configured
/// SYNCBOARD_ENCRYPTION_KEYS must be kept with it. PostgreSQL is backed up with pg_dump (see the README).
public enum BackupCommand {
    public static func run(_ configuration: AppConfiguration, to destination: URL) async throws -> String {
        guard case .sqlite(let databasePath) = configuration.database else {
            throw OperationRefused("syncboard backup works on SQLite; with PostgreSQL use pg_dump --format=custom (see \"Backups\" in the README)")
        }
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw OperationRefused("there is no database to back up at \(databasePath) (SYNCBOARD_DATA_DIR)")
        }
        try prepareDestination(destination)
        let snapshot = destination.appendingPathComponent(BackupManifest.databaseFileName)

        let live = try await SQLiteFile.open(databasePath)
        do {
            // VACUUM INTO reads inside one transaction: the copy is the database as of one moment, however busy
            // the server is (a file copy could catch a write half done).
            _ = try await live.connection.query("VACUUM INTO '\(snapshot.path.replacingOccurrences(of: "'", with: "''"))'")
            await live.close()
        } catch {
            await live.close()
            throw error
        }
        try PrivateFile.makePrivate(snapshot)

        let copy = try await SQLiteFile.open(snapshot.path)
        let migrations: [String], keyIDs: Set<String>, contents: (users: Int, accounts: Int, jobs: Int, runs: Int)
        do {
            if let problem = await copy.integrityProblem() { throw OperationRefused("the snapshot did not pass its integrity check: \(problem)") }
            migrations = try await copy.recordedMigrations()
            keyIDs = try await copy.tokenKeyIDs()
            contents = try await copy.contents()
            await copy.close()
        } catch {
            await copy.close()
            throw error
        }

        let keyLine: String
        if let configured = configuration.encryptionKeys {
            keyLine = "The tokens in it are encrypted with SYNCBOARD_ENCRYPTION_KEYS (key ids: \(configured.keys.map(\.id).joined(separator: ", "))), "
                + "which is not in the backup: keep that value with the backup, stored apart from it and as safely."
        } else {
            let keyFile = configuration.dataDirectory.appendingPathComponent(GeneratedKeyFile.fileName)
            guard let key = FileManager.default.contents(atPath: keyFile.path) else {
                throw OperationRefused("the key file \(keyFile.path) is missing: without it the tokens in the database cannot be read")
            }
            try PrivateFile.write(key, to: destination.appendingPathComponent(GeneratedKeyFile.fileName))
            keyLine = "The key file that decrypts its tokens is in it: keep the backup as private as the data directory."
        }
        try BackupManifest(syncboardVersion: SyncboardVersion.current, createdAt: Date(), database: "sqlite", migrations: migrations,
                           encryption: configuration.encryptionKeys == nil ? "key-file" : "configured",
                           tokenKeyIDs: keyIDs.sorted()).write(to: destination)
        return "Backed up \(contents.users) user(s), \(contents.accounts) account(s), \(contents.jobs) job(s) and \(contents.runs) run(s) "
            + "to \(destination.path). \(keyLine)"
    }

    /// The backup directory: new (or empty) and readable by its owner only, before anything is written in it.
    private static func prepareDestination(_ url: URL) throws {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue, (try? manager.contentsOfDirectory(atPath: url.path))?.isEmpty == true else {
                throw OperationRefused("\(url.path) already exists and is not an empty directory: choose a new path")
            }
            try PrivateFile.makePrivate(url, directory: true)
            return
        }
        do {
            try manager.createDirectory(at: url, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        } catch {
            throw OperationRefused("could not create \(url.path): check that its parent directory exists and is writable")
        }
        try PrivateFile.makePrivate(url, directory: true)  // whatever the umask
    }
}
