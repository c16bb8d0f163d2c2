import _CryptoExtras
import Foundation
import JWTKit

/// An RS256 key for an emulator: it signs the ID tokens, and its public half is published as a JWKS (both providers
/// publish `kty`, `use`, `alg`, `kid`, `n`, `e` for RSA keys).
public struct EmulatorSigningKey: Sendable {
    public let signer: JWTKeyCollection
    /// The JWKS document, as JSON text.
    public let jwks: String

    /// One 2048-bit RSA key per process, made when the first emulator starts: an emulator's process starts one server,
    /// but a test process starts hundreds, and making a key for each took a tenth of the Swift tests' CPU (debug build).
    private static let processKey = Result { try _RSA.Signing.PrivateKey(keySize: .bits2048) }

    public static func make(keyID: String) async throws -> EmulatorSigningKey {
        let key = try processKey.get()
        let primitives = try key.publicKey.getKeyPrimitives()
        let signer = JWTKeyCollection()
        await signer.add(rsa: try Insecure.RSA.PrivateKey(backing: key), digestAlgorithm: .sha256, kid: JWKIdentifier(string: keyID))
        let jwks: JSONValue = ["keys": [["kty": "RSA", "use": "sig", "alg": "RS256", "kid": .string(keyID),
                                         "n": .string(Self.base64URL(primitives.modulus)), "e": .string(Self.base64URL(primitives.publicExponent))]]]
        return EmulatorSigningKey(signer: signer, jwks: String(decoding: jwks.data(), as: UTF8.self))
    }

    /// Base64url without padding (RFC 7515 §2), as JWKs and JWTs write it.
    public static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
