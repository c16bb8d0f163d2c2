import Crypto
import Foundation

/// Encrypts Google tokens (and PKCE verifiers) at rest with AES-256-GCM.
///
/// A stored value is an envelope `v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>`: the key id says which key of
/// the keyring decrypts it, so keys can be rotated without a flag day. The `context` (e.g. the column and row it
/// belongs to) is bound in as associated data, so a ciphertext copied into another row does not decrypt.
public struct TokenVault: Sendable {
    public let keyring: EncryptionKeyring

    public init(keyring: EncryptionKeyring) { self.keyring = keyring }

    public enum VaultError: Error, CustomStringConvertible, Equatable {
        case malformed
        case unknownKey(id: String)
        case cannotDecrypt(keyID: String)

        public var description: String {
            switch self {
            case .malformed: return "a stored secret is not a Syncboard ciphertext (v1.KEYID.DATA)"
            case .unknownKey(let id):
                return "a stored secret was encrypted with key \"\(id)\", which SYNCBOARD_ENCRYPTION_KEYS does not contain: add it back (old keys stay listed until `syncboard rotate-keys` has run)"
            case .cannotDecrypt(let id):
                return "a stored secret does not decrypt with key \"\(id)\": the key is wrong or the data was altered"
            }
        }
    }

    /// Encrypts under the current (newest) key.
    public func seal(_ plaintext: String, context: String) throws -> String {
        let key = keyring.current
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: key.key, authenticating: Data(context.utf8))
        guard let combined = box.combined else { throw VaultError.malformed }
        return "v1.\(key.id).\(combined.base64URLEncoded())"
    }

    public func open(_ envelope: String, context: String) throws -> String {
        let parts = envelope.split(separator: ".", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[0] == "v1", let data = Data(base64URLEncoded: parts[2]) else {
            throw VaultError.malformed
        }
        guard let key = keyring.key(id: parts[1]) else { throw VaultError.unknownKey(id: parts[1]) }
        do {
            let box = try AES.GCM.SealedBox(combined: data)
            let plaintext = try AES.GCM.open(box, using: key, authenticating: Data(context.utf8))
            return String(decoding: plaintext, as: UTF8.self)
        } catch {
            throw VaultError.cannotDecrypt(keyID: parts[1])
        }
    }

    /// The id of the key an envelope was sealed with (nil if it is not an envelope).
    public static func keyID(of envelope: String) -> String? {
        let parts = envelope.split(separator: ".", maxSplits: 2)
        return parts.count == 3 && parts[0] == "v1" ? String(parts[1]) : nil
    }

    /// Whether the envelope is already under the newest key.
    public func isCurrent(_ envelope: String) -> Bool { Self.keyID(of: envelope) == keyring.current.id }
}

extension Data {
    func base64URLEncoded() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init?(base64URLEncoded string: String) {
        var base64 = string.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64.append("=") }
        self.init(base64Encoded: base64)
    }
}
