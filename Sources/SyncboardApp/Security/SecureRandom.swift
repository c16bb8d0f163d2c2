import Crypto
import Foundation
import SyncboardCore

/// Random tokens for sessions, CSRF, OAuth state and nonces, and their digests for storage.
enum SecureRandom {
    /// `byteCount` bytes from the system CSPRNG, base64url without padding (32 bytes → 43 characters).
    static func token(byteCount: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64URLEncoded()
    }

    /// SHA-256 hex digest: what the database stores instead of a bearer secret (session ids, OAuth state).
    static func digest(_ value: String) -> String {
        SHA256.hash(data: Data(value.utf8)).hexString
    }

    /// Compares two strings in time independent of where they differ.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
