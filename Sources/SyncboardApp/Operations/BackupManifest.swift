import Foundation

/// `manifest.json` in a backup: what made it and what a restore needs to know. It holds no secret.
struct BackupManifest: Codable {
    static let fileName = "manifest.json"
    static let databaseFileName = "syncboard.sqlite"

    var syncboardVersion: String
    var createdAt: Date
    var database: String
    var migrations: [String]
    /// "key-file" (the generated key is in the backup) or "configured" (SYNCBOARD_ENCRYPTION_KEYS, kept apart).
    var encryption: String
    /// The ids of the keys the stored tokens are encrypted with.
    var tokenKeyIDs: [String]

    static func read(from directory: URL) throws -> BackupManifest {
        let url = directory.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw OperationRefused("\(directory.path) is not a Syncboard backup: it has no \(fileName)")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(BackupManifest.self, from: data)
        } catch {
            throw OperationRefused("\(url.path) is damaged: it is not the manifest a Syncboard backup writes")
        }
    }

    func write(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try PrivateFile.write(try encoder.encode(self), to: directory.appendingPathComponent(Self.fileName))
    }
}

/// Files only their owner may read: created with mode 0600, written under a temporary name and renamed into place.
enum PrivateFile {
    static func write(_ data: Data, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw OperationRefused("could not write \(url.path): check that \(url.deletingLastPathComponent().path) is writable")
        }
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.moveItem(at: temporary, to: url)
    }

    static func makePrivate(_ url: URL, directory: Bool = false) throws {
        try FileManager.default.setAttributes([.posixPermissions: directory ? 0o700 : 0o600], ofItemAtPath: url.path)
    }
}
