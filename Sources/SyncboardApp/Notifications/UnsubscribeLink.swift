import Crypto
import Foundation

/// One-click unsubscribe links (RFC 8058) per user and category. The link carries an HMAC over the user and
/// category under a key derived from the encryption keyring: it can only turn that one category off for that one
/// user, grants nothing else, and is not a credential of any account.
struct UnsubscribeLink {
    let keyring: EncryptionKeyring

    func url(base: URL, userID: UUID, category: NoticeCategory) -> URL {
        var components = URLComponents(url: base.appendingPathComponent("notifications/unsubscribe"), resolvingAgainstBaseURL: false)!
        components.queryItems = [URLQueryItem(name: "user", value: userID.uuidString), URLQueryItem(name: "category", value: category.rawValue),
                                 URLQueryItem(name: "sig", value: signature(userID: userID, category: category, key: keyring.current.key))]
        return components.url!
    }

    /// Whether `signature` was made by any key of the keyring (links survive key rotation while the old key is listed).
    func verify(userID: UUID, category: NoticeCategory, signature: String) -> Bool {
        keyring.keys.contains { key in
            let expected = self.signature(userID: userID, category: category, key: key.key)
            return Data(expected.utf8).withUnsafeBytes { a in Data(signature.utf8).withUnsafeBytes { b in safeCompare(a, b) } }
        }
    }

    private func signature(userID: UUID, category: NoticeCategory, key: SymmetricKey) -> String {
        let derived = HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data("syncboard unsubscribe links".utf8), outputByteCount: 32)
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(userID.uuidString.lowercased()):\(category.rawValue)".utf8), using: derived)
        return Data(mac).prefix(16).base64URLEncoded()
    }

    private func safeCompare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<a.count { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
