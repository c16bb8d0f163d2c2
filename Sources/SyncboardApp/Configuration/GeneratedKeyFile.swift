import Crypto
import Foundation
import Logging

/// On SQLite with no `SYNCBOARD_ENCRYPTION_KEYS`, the token-encryption key lives in a file of its own in the data
/// directory, created once with mode 0600. (With PostgreSQL a configured key is required instead: several
/// processes on several machines must share it.)
enum GeneratedKeyFile {
    static let fileName = "encryption.key"
    static let keyID = "local"

    static func loadOrCreate(in directory: URL, logger: Logger) throws -> EncryptionKeyring {
        let url = directory.appendingPathComponent(fileName)
        let manager = FileManager.default
        if manager.fileExists(atPath: url.path) {
            let text = try String(contentsOf: url, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            do {
                return try EncryptionKeyring.parse(text)
            } catch {
                throw ConfigurationError(variable: "SYNCBOARD_ENCRYPTION_KEYS",
                                         expected: "\(url.path) is damaged (\(error.expected)); restore it from a backup")
            }
        }
        let key = SymmetricKey(size: .bits256)
        let encoded = key.withUnsafeBytes { Data($0).base64EncodedString() }
        // Create with 0600 from the start: never a moment where the key is readable by others.
        guard manager.createFile(atPath: url.path, contents: Data("\(keyID):\(encoded)\n".utf8),
                                 attributes: [.posixPermissions: 0o600])
        else {
            throw ConfigurationError(variable: "SYNCBOARD_DATA_DIR", expected: "could not write \(url.path): the directory must be writable")
        }
        logger.notice("generated a token-encryption key", metadata: [
            "file": .string(url.path),
            "hint": "back this file up with the database; set SYNCBOARD_ENCRYPTION_KEYS to manage keys yourself",
        ])
        return EncryptionKeyring(keys: [.init(id: keyID, key: key)])
    }
}
