import Crypto
import Foundation

/// The AES-256-GCM keys that encrypt Google tokens at rest, from `SYNCBOARD_ENCRYPTION_KEYS`.
///
/// Format: a comma-separated list of `ID:BASE64KEY`, oldest first; the last key encrypts new writes and every
/// key decrypts what it wrote. A key is 32 random bytes (`openssl rand -base64 32`).
public struct EncryptionKeyring: Sendable {
    public struct Key: Sendable {
        public let id: String
        public let key: SymmetricKey
    }

    public let keys: [Key]
    public var current: Key { keys[keys.count - 1] }

    public init(keys: [Key]) {
        precondition(!keys.isEmpty, "a keyring holds at least one key")
        self.keys = keys
    }

    public func key(id: String) -> SymmetricKey? { keys.first { $0.id == id }?.key }

    static let variable = "SYNCBOARD_ENCRYPTION_KEYS"
    static let expected = "expected a comma-separated list of ID:KEY, each KEY 32 bytes in base64 (openssl rand -base64 32), IDs of letters, digits, '-' or '_'"

    /// Parses the variable's value. Errors name the variable and the offending entry's position, never a key.
    static func parse(_ value: String) throws(ConfigurationError) -> EncryptionKeyring {
        var keys: [Key] = []
        let entries = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for (position, entry) in entries.enumerated() {
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            let label = "entry \(position + 1)"
            guard parts.count == 2, isValidID(parts[0]) else {
                throw ConfigurationError(variable: variable, expected: "\(label) is not ID:KEY; \(expected)")
            }
            guard let bytes = Data(base64Encoded: parts[1]) else {
                throw ConfigurationError(variable: variable, expected: "\(label) (id \(parts[0])) is not valid base64; \(expected)")
            }
            guard bytes.count == 32 else {
                throw ConfigurationError(
                    variable: variable,
                    expected: "\(label) (id \(parts[0])) is \(bytes.count) bytes long; expected 32 bytes (AES-256)")
            }
            guard !keys.contains(where: { $0.id == parts[0] }) else {
                throw ConfigurationError(variable: variable, expected: "key id \(parts[0]) appears twice; ids must be unique")
            }
            keys.append(Key(id: parts[0], key: SymmetricKey(data: bytes)))
        }
        guard !keys.isEmpty else { throw ConfigurationError(variable: variable, expected: expected) }
        return EncryptionKeyring(keys: keys)
    }

    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 32 && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
