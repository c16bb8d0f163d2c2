import Foundation

/// `syncboard restore PATH [--force]`: checks a backup made by `syncboard backup` (integrity, migrations not newer
/// than this binary, a key that reads its tokens) and puts it in place of the SQLite database. A database that holds
/// data is only replaced with --force. Syncboard must not be running on the data directory meanwhile.
public enum RestoreCommand {
    public static func run(_ configuration: AppConfiguration, from backup: URL, force: Bool) async throws -> String {
        guard case .sqlite(let databasePath) = configuration.database else {
            throw OperationRefused("syncboard restore works on SQLite; with PostgreSQL use pg_restore (see \"Backups\" in the README)")
        }
        let manifest = try BackupManifest.read(from: backup)
        let snapshot = backup.appendingPathComponent(BackupManifest.databaseFileName)
        guard FileManager.default.fileExists(atPath: snapshot.path) else {
            throw OperationRefused("\(backup.path) is not a complete Syncboard backup: it has no \(BackupManifest.databaseFileName)")
        }
        try DataDirectory.prepare(configuration.dataDirectory)

        // Work on a private copy beside the database: the backup stays as it was, and the final step is a rename.
        let database = URL(fileURLWithPath: databasePath)
        let staged = database.deletingLastPathComponent().appendingPathComponent(".\(database.lastPathComponent).restoring")
        try? FileManager.default.removeItem(at: staged)
        guard let data = FileManager.default.contents(atPath: snapshot.path) else {
            throw OperationRefused("could not read \(snapshot.path)")
        }
        try PrivateFile.write(data, to: staged)
        do {
            let message = try await checkAndInstall(configuration, manifest: manifest, backup: backup, staged: staged,
                                                    database: database, force: force)
            try? FileManager.default.removeItem(at: staged)
            return message
        } catch {
            try? FileManager.default.removeItem(at: staged)
            throw error
        }
    }

    private static func checkAndInstall(_ configuration: AppConfiguration, manifest: BackupManifest, backup: URL, staged: URL,
                                        database: URL, force: Bool) async throws -> String {
        let snapshotFile = try await SQLiteFile.open(staged.path)
        let keyIDs: Set<String>, contents: (users: Int, accounts: Int, jobs: Int, runs: Int)
        do {
            if let problem = await snapshotFile.integrityProblem() {
                throw OperationRefused("the snapshot in \(backup.path) is damaged (SQLite's integrity check: \(problem)); nothing was restored")
            }
            let recorded = try await snapshotFile.recordedMigrations()
            guard !recorded.isEmpty else {
                throw OperationRefused("the snapshot in \(backup.path) is not a Syncboard database (it records no migrations); nothing was restored")
            }
            let known = Set(SyncboardMigrations.all.map(\.name))
            let unknown = recorded.filter { !known.contains($0) }.sorted()
            if !unknown.isEmpty {
                throw OperationRefused("the snapshot in \(backup.path) is newer than this binary: it was made by Syncboard \(manifest.syncboardVersion) "
                    + "and records \(unknown.count) migration(s) Syncboard \(SyncboardVersion.current) does not know (\(unknown.prefix(3).joined(separator: ", "))); "
                    + "restore it with that version or newer; nothing was restored")
            }
            keyIDs = try await snapshotFile.tokenKeyIDs()
            contents = try await snapshotFile.contents()
            await snapshotFile.close()
        } catch {
            await snapshotFile.close()
            throw error
        }

        // The tokens must be readable afterwards: by the configured keys, or by the key file in the backup.
        let backupKeyFile = backup.appendingPathComponent(GeneratedKeyFile.fileName)
        let keyFileData = FileManager.default.contents(atPath: backupKeyFile.path)
        let keyring: EncryptionKeyring, keySource: String
        if let configured = configuration.encryptionKeys {
            (keyring, keySource) = (configured, "SYNCBOARD_ENCRYPTION_KEYS")
        } else if let keyFileData {
            do {
                keyring = try EncryptionKeyring.parse(String(decoding: keyFileData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            } catch {
                throw OperationRefused("the key file in \(backup.path) is damaged; nothing was restored")
            }
            keySource = "the backup's key file"
        } else {
            throw OperationRefused("the backup's tokens are encrypted with SYNCBOARD_ENCRYPTION_KEYS, which is not set: set it to the value kept with the backup; nothing was restored")
        }
        let missing = keyIDs.filter { keyring.key(id: $0) == nil }.sorted()
        if !missing.isEmpty {
            throw OperationRefused("the snapshot's tokens are encrypted with key(s) \(missing.joined(separator: ", ")), which \(keySource) does not hold; nothing was restored")
        }

        if FileManager.default.fileExists(atPath: database.path), !force {
            let existing = try await SQLiteFile.open(database.path)
            let held: (users: Int, accounts: Int, jobs: Int, runs: Int)
            do {
                held = try await existing.contents()
                await existing.close()
            } catch {
                await existing.close()
                throw error
            }
            if held.users + held.accounts + held.jobs + held.runs > 0 {
                throw OperationRefused("the database at \(database.path) already holds data (\(held.users) user(s), \(held.jobs) job(s), "
                    + "\(held.runs) run(s)): back it up, stop Syncboard, and pass --force to replace it; nothing was restored")
            }
        }

        // Install: the old database's journal files go first (they belong to the file being replaced), then the
        // snapshot is renamed into place, then the key file.
        for suffix in ["-wal", "-shm", "-journal"] {
            try? FileManager.default.removeItem(atPath: database.path + suffix)
        }
        try? FileManager.default.removeItem(at: database)
        try FileManager.default.moveItem(at: staged, to: database)
        var keyLine = "Its tokens are read with SYNCBOARD_ENCRYPTION_KEYS."
        if configuration.encryptionKeys == nil, let keyFileData {
            try PrivateFile.write(keyFileData, to: configuration.dataDirectory.appendingPathComponent(GeneratedKeyFile.fileName))
            keyLine = "The key file was restored with it."
        }
        return "Restored \(contents.users) user(s), \(contents.accounts) account(s), \(contents.jobs) job(s) and \(contents.runs) run(s) "
            + "from \(backup.path) (made by Syncboard \(manifest.syncboardVersion)) into \(database.path). \(keyLine) "
            + "Start Syncboard: it applies any newer migrations."
    }
}
